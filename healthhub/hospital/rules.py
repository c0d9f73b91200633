"""Pure decisions of the internet hospital (IDT-*): plain data in, a verdict out.

Nothing here touches the database, so every rule is tested and reasoned about on its own.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from healthhub.core.dates import add_years, full_years
from healthhub.core.errors import RuleViolation
from healthhub.hospital.errors import ErrorCode

TITLES = ("住院医师", "主治医师", "副主任医师", "主任医师")
AFFILIATIONS = {"own": "本院医生", "partner": "合作医生"}
TERMINATION_REASONS = {
    "condition_changed": "病情变化，需线下就诊 / condition changed",
    "first_visit": "经核实为首诊，不适用互联网诊疗 / turned out to be a first visit",
    "unsuitable": "病情不适宜互联网诊疗 / unsuitable for online care",
}
MIN_PRACTICE_YEARS = 3  # IDT-04
WORK_SESSION = timedelta(hours=4)  # IDT-05: re-authenticate at least this often while online
CHAT_RECORD_YEARS = 3  # IDT-11

# 医师执业证书编码: 15 digits.
_LICENCE = re.compile(r"^\d{15}$")


def normalize_licence_no(raw: str) -> str:
    number = raw.strip()
    if not _LICENCE.match(number):
        raise RuleViolation("医师执业证书编码应为15位数字 / licence number must be 15 digits", code=ErrorCode.BAD_LICENCE_NO)
    return number


@dataclass(frozen=True)
class DoctorFacts:
    licence_no: str
    practice_started_on: date
    institution_consent: bool
    affiliation: str
    multi_site_filed: bool


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


def doctor_eligibility(facts: DoctorFacts, today: date) -> Eligibility:
    """IDT-04: licence, ≥3 years of independent practice, institution consent, multi-site filing."""
    reasons = []
    if not _LICENCE.match(facts.licence_no):
        reasons.append("执业证书编码无效 / invalid licence number")
    years = full_years(facts.practice_started_on, today)
    if years < MIN_PRACTICE_YEARS:
        reasons.append(f"独立临床工作经验 {years} 年，不足 {MIN_PRACTICE_YEARS} 年，不能开展互联网诊疗 / "
                       f"{years} years of independent practice, {MIN_PRACTICE_YEARS} required (IDT-04)")
    if not facts.institution_consent:
        reasons.append("未取得执业注册机构同意 / the registering institution has not consented")
    if facts.affiliation == "partner" and not facts.multi_site_filed:
        reasons.append("合作医生未完成多点执业备案 / partner doctor has not filed for multi-site practice")
    return Eligibility(ok=not reasons, reasons=tuple(reasons))


@dataclass(frozen=True)
class FollowUpFacts:
    """What IDT-01/02 needs to know about the earlier diagnosis the patient attached."""

    record_patient_id: int | None
    record_sealed: bool
    record_visit_date: date | None
    record_diagnosis_code: str | None
    patient_id: int
    first_visit_allowed: bool
    family_contract: bool  # an active family-doctor contract covers this patient


FOLLOW_UP_BASES = {
    "record": "线下就诊诊断 / earlier diagnosis from a physical visit",
    "family_contract": "家庭医生签约服务 / family-doctor contract service",
    "first_visit_pilot": "首诊试点科室 / first-visit pilot department",
}


def check_follow_up(facts: FollowUpFacts, today: date) -> str:
    """IDT-01/02: only follow-ups, proven by an earlier diagnosis from a physical visit, or care under a
    family-doctor contract (IDT-01 allows both), or a department piloting first visits (IDT-14).
    Returns the basis (a key of FOLLOW_UP_BASES) so the doctor sees why the request was admitted."""
    if facts.record_patient_id is None:
        if facts.family_contract:
            return "family_contract"
        if facts.first_visit_allowed:
            return "first_visit_pilot"
        raise RuleViolation("互联网诊疗仅限复诊：请上传线下就诊的病历、出院小结或诊断证明后再发起问诊 / online "
                            "consultations are follow-ups only: attach the earlier diagnosis from a physical visit",
                            code=ErrorCode.FOLLOW_UP_REQUIRED)
    if facts.record_patient_id != facts.patient_id or facts.record_sealed:
        raise RuleViolation("所附病历不属于该就诊人 / the attached record belongs to another patient",
                            code=ErrorCode.RECORD_MISMATCH)
    if not facts.record_diagnosis_code:
        raise RuleViolation("所附病历没有明确诊断 / the attached record has no clear diagnosis",
                            code=ErrorCode.FOLLOW_UP_REQUIRED)
    if facts.record_visit_date is None or facts.record_visit_date > today:
        raise RuleViolation("病历日期不能晚于今天 / the record date is in the future", code=ErrorCode.BAD_RECORD_DATE)
    return "record"


@dataclass(frozen=True)
class PoolFacts:
    """Where a waiting request stands for one doctor: it is offered first to the doctors of its
    department, and to the whole specialty centre once escalated after waiting too long."""

    in_department: bool
    same_centre: bool
    escalated: bool
    excluded: bool  # this doctor accepted it earlier and let it lapse unanswered


def offered_to(facts: PoolFacts) -> bool:
    return not facts.excluded and (facts.in_department or (facts.same_centre and facts.escalated))


@dataclass(frozen=True)
class AcceptFacts:
    eligibility: Eligibility
    online: bool
    work_session_valid: bool
    pool: PoolFacts


def check_can_work(facts: AcceptFacts) -> None:
    """A doctor takes a consultation only when eligible (IDT-04), online, re-authenticated (IDT-05)
    and the request is offered to them (their department, or their centre once escalated)."""
    if not facts.eligibility.ok:
        raise RuleViolation(f"医生不具备互联网诊疗资格：{facts.eligibility.reason}", code=ErrorCode.DOCTOR_NOT_ELIGIBLE)
    if not facts.online:
        raise RuleViolation("请先上线接诊 / go online first", code=ErrorCode.DOCTOR_OFFLINE)
    if not facts.work_session_valid:
        raise RuleViolation("接诊前须实名再认证（重新输入密码或PIN）/ re-authenticate before consulting (IDT-05)",
                            code=ErrorCode.REAUTH_REQUIRED)
    if facts.pool.excluded:
        raise RuleViolation("您接诊后未在时限内回复，该问诊已转派其他医生 / you accepted this request but did not "
                            "answer in time, so it went to other doctors", code=ErrorCode.REASSIGNED_AWAY)
    if offered_to(facts.pool):
        return
    if facts.pool.same_centre:
        raise RuleViolation("该问诊先由本科室医生接诊，排队超时后才转派至本专科中心 / the request is offered to its "
                            "department's doctors first, to the whole centre only after a timeout",
                            code=ErrorCode.DEPARTMENT_FIRST)
    raise RuleViolation("该科室不属于您所在的专科中心 / this department belongs to another centre",
                        code=ErrorCode.WRONG_CENTRE)


def check_termination_reason(reason: str) -> str:
    if reason not in TERMINATION_REASONS:
        raise RuleViolation("终止原因须为：病情变化 / 首诊 / 不适宜互联网诊疗 / reason must be one of "
                            + ", ".join(TERMINATION_REASONS), code=ErrorCode.BAD_TERMINATION_REASON)
    return reason


@dataclass(frozen=True)
class WaitFacts:
    status: str
    accepted_at: datetime | None
    first_reply_at: datetime | None
    waiting_since: datetime  # when the request (last) entered the queue
    escalated: bool


def stale_action(facts: WaitFacts, now: datetime, timeout: timedelta) -> str | None:
    """What a request nobody took care of in time needs: "return" (accepted, the doctor never
    answered: back to the queue without that doctor), "escalate" (still waiting: offer it to the
    whole centre, first in line), or None."""
    if facts.status == "in_progress":
        if facts.first_reply_at is None and facts.accepted_at is not None and now - facts.accepted_at >= timeout:
            return "return"
    elif facts.status == "waiting" and not facts.escalated and now - facts.waiting_since >= timeout:
        return "escalate"
    return None


def latest_practice_start(today: date) -> date:
    """The last start date that still gives MIN_PRACTICE_YEARS full years today (IDT-04, as a query bound)."""
    return add_years(today, -MIN_PRACTICE_YEARS)


# The expected wait shown to a patient before and while queueing: a rough, documented estimate, not a promise.
TYPICAL_CONSULTATION_MINUTES = 10  # a follow-up with a prescription renewal, from first reply to the end


def expected_wait_minutes(*, waiting: int, online_doctors: int,
                          minutes_per_consultation: int = TYPICAL_CONSULTATION_MINUTES) -> int | None:
    """Minutes until a new request is likely taken: the department's online doctors work through the
    `waiting` requests ahead in parallel, one each per `minutes_per_consultation`, so the new request waits
    ceil(waiting / online_doctors) rounds. None when nobody is online: then there is no estimate, only the
    escalation after the timeout (stale_action)."""
    if online_doctors <= 0:
        return None
    return -(-max(waiting, 0) // online_doctors) * minutes_per_consultation


@dataclass(frozen=True)
class DepartmentLoad:
    department_id: int
    centre_id: int
    online_doctors: int
    waiting: int


def nearest_staffed(wanted: DepartmentLoad, departments: list[DepartmentLoad], *,
                    general_centre_id: int | None) -> DepartmentLoad | None:
    """Where a patient whose department has nobody online can be seen sooner: another department of the
    same specialty centre (clinically nearest), else one of general practice (全科/内科, which take any
    follow-up); the shortest expected wait wins, then the most doctors online. None when neither has a
    doctor online: the request can only wait for its own department and the escalation to its centre."""
    def wait(load: DepartmentLoad) -> int:
        return expected_wait_minutes(waiting=load.waiting, online_doctors=load.online_doctors) or 0

    staffed = [d for d in departments if d.online_doctors > 0 and d.department_id != wanted.department_id]
    for centre_id in (wanted.centre_id, general_centre_id):
        near = [d for d in staffed if d.centre_id == centre_id]
        if near:
            return min(near, key=lambda d: (wait(d), -d.online_doctors, d.department_id))
    return None
