"""Chinese resident ID numbers (GB 11643-1999) and mobile numbers: validation, derivation, masking."""
import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


class InvalidIdentityNumber(ValueError):
    pass


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "M" or "F"

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


def id_check_char(first17: str) -> str:
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_resident_id(raw: str, *, today: date | None = None) -> ResidentId:
    number = raw.strip().upper()
    if not _ID_PATTERN.match(number):
        raise InvalidIdentityNumber("身份证号应为18位，前17位为数字，最后一位为数字或X / ID number must be 18 characters")
    if id_check_char(number[:17]) != number[17]:
        raise InvalidIdentityNumber("身份证号校验位不正确 / ID number checksum does not match")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdentityNumber("身份证号中的出生日期无效 / birth date in ID number is not a real date") from exc
    today = today or date.today()
    if birth > today or birth.year < 1890:
        raise InvalidIdentityNumber("身份证号中的出生日期不合理 / birth date in ID number is out of range")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, region_code=number[:6], birth_date=birth, sex=sex)


def normalize_mobile(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _MOBILE_PATTERN.match(digits):
        raise InvalidIdentityNumber("手机号应为11位且以1开头 / mobile number must be 11 digits starting with 1")
    return digits


def mask_id_number(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else "*" * len(number)


def make_resident_id(region_code: str, birth: date, sequence: int, *, female: bool) -> str:
    """Builds a checksum-valid number; used by the demo data generator, never for real people."""
    seq = sequence % 1000
    if (seq % 2 == 0) != female:
        seq = (seq + 1) % 1000
    first17 = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)
