"""Pure decisions of the patient registry (IDT-06, DP-02): plain data in, a verdict out.

Nothing here touches the database, so every rule is tested and reasoned about on its own.
"""
from datetime import date

from healthhub.core.dates import full_years
from healthhub.core.errors import RuleViolation
from healthhub.patients.errors import ErrorCode
from healthhub.patients.schemas import GUARDIAN_RELATIONSHIPS

ADULT_AGE = 18
UNDER6_AGE = 6  # IDT-10
OUTPATIENT_RECORD_YEARS = 15  # IDT-11

def age_years(birth: date, today: date) -> float:
    """Fractional years, so an infant of 3 months is 0.25 rather than 0."""
    return round((today - birth).days / 365.2425, 3)


def is_under(birth: date, years: int, today: date) -> bool:
    """Calendar-exact: a child is under 6 until the morning of the 6th birthday."""
    return full_years(birth, today) < years


def age_text(birth: date, today: date) -> str:
    """RX-04 wants infants' age in days or months."""
    years = full_years(birth, today)
    if years >= 3:
        return f"{years}岁"
    months = (today.year - birth.year) * 12 + today.month - birth.month - (today.day < birth.day)
    if months >= 1:
        return f"{months // 12}岁{months % 12}个月" if months >= 12 else f"{months}个月"
    return f"{(today - birth).days}天"


def consent_role(relationship: str, birth: date, today: date) -> str:
    """Who gives DP-02 consent for this profile: the person, a guardian, or an authorised relative."""
    if relationship == "本人":
        return "self"
    if is_under(birth, ADULT_AGE, today):
        return "guardian"
    return "authorised"


def check_guardian(relationship: str, birth: date, guardian_relationship: str | None, today: date) -> None:
    """A minor's profile names the account holder as guardian and how they are related."""
    if relationship == "本人" and is_under(birth, ADULT_AGE, today):
        raise RuleViolation("未成年人不能作为账户本人，请由监护人的账户添加 / a minor cannot hold the account; "
                            "add them from the guardian's account", code=ErrorCode.MINOR_ACCOUNT_HOLDER)
    if (relationship != "本人" and is_under(birth, ADULT_AGE, today)
            and guardian_relationship not in GUARDIAN_RELATIONSHIPS):
        raise RuleViolation("未成年家庭成员须指明监护人关系（父亲/母亲/祖父母/外祖父母/其他法定监护人）/ a minor "
                            "needs the account holder named as guardian with the relationship",
                            code=ErrorCode.GUARDIAN_REQUIRED)
