"""Doctors: profiles (IDT-04), schedules, going online with real-name re-authentication (IDT-05)."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.dates import local_today
from healthhub.core.db import utcnow
from healthhub.core.errors import AppError, Conflict, Forbidden, NotFound, RuleViolation
from healthhub.core.security import hash_password, verify_password
from healthhub.hospital import policies, rules
from healthhub.hospital.errors import ErrorCode
from healthhub.hospital.models import Centre, Department, Doctor, DoctorDepartment, DoctorSchedule, WorkSession
from healthhub.hospital.views import doctor_facts
from healthhub.identity import service as identity

MAX_PIN_FAILURES = 5
_PIN = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class DoctorProfile:
    user_id: int
    name: str
    title: str
    licence_no: str
    institution: str
    affiliation: str
    practice_started_on: date
    institution_consent: bool
    multi_site_filed: bool
    centre_id: int
    department_ids: list[int]
    specialties: list[str] = field(default_factory=list)
    introduction: str = ""


@dataclass(frozen=True)
class ScheduleSlot:
    weekday: int
    starts_at: time
    ends_at: time


def doctor_row_by_user(session: Session, *, user_id: int) -> Doctor:
    doctor = session.execute(select(Doctor).where(Doctor.user_id == user_id)).scalar_one_or_none()
    if doctor is None:
        raise NotFound("当前账户没有医生执业档案 / this account has no doctor profile", code=ErrorCode.DOCTOR_PROFILE_MISSING)
    return doctor


def create_doctor(session: Session, *, profile: DoctorProfile) -> Doctor:
    if not policies.can_hold_doctor_profile(identity.get_user(session, user_id=profile.user_id).role):
        raise RuleViolation("只有医生角色的账户可以建立执业档案 / only doctor accounts get a doctor profile",
                            code=ErrorCode.NOT_A_DOCTOR_ACCOUNT)
    if profile.title not in rules.TITLES:
        raise RuleViolation("职称须为：" + "、".join(rules.TITLES), code=ErrorCode.BAD_TITLE)
    if profile.affiliation not in rules.AFFILIATIONS:
        raise RuleViolation("医生类型须为 own（本院）或 partner（合作）/ affiliation must be own or partner",
                            code=ErrorCode.BAD_AFFILIATION)
    licence_no = rules.normalize_licence_no(profile.licence_no)
    if session.execute(select(Doctor.id).where(Doctor.licence_no == licence_no)).first():
        raise Conflict("该执业证书编码已登记 / licence number already registered", code=ErrorCode.LICENCE_TAKEN)
    if session.execute(select(Doctor.id).where(Doctor.user_id == profile.user_id)).first():
        raise Conflict("该账户已有医生档案 / this account already has a doctor profile", code=ErrorCode.DOCTOR_EXISTS)
    if session.get(Centre, profile.centre_id) is None:
        raise NotFound("专科中心不存在 / centre not found", code=ErrorCode.CENTRE_NOT_FOUND)
    departments = session.execute(select(Department).where(Department.id.in_(profile.department_ids))).scalars().all()
    if not departments or len(departments) != len(set(profile.department_ids)) or all(
            d.centre_id != profile.centre_id for d in departments):
        raise RuleViolation("须至少选择一个本专科中心的科室 / at least one department of the doctor's centre",
                            code=ErrorCode.BAD_DEPARTMENTS)
    doctor = Doctor(user_id=profile.user_id, name=profile.name, title=profile.title, licence_no=licence_no,
                    institution=profile.institution, affiliation=profile.affiliation,
                    practice_started_on=profile.practice_started_on, institution_consent=profile.institution_consent,
                    multi_site_filed=profile.multi_site_filed, centre_id=profile.centre_id,
                    specialties=list(profile.specialties), introduction=profile.introduction)
    session.add(doctor)
    session.flush()
    session.add_all(DoctorDepartment(doctor_id=doctor.id, department_id=d.id) for d in departments)
    session.flush()
    audit.record(session, action="hospital.doctor.create", entity_type="doctor", entity_id=doctor.id,
                 detail={"licence_no": licence_no, "title": doctor.title, "affiliation": doctor.affiliation})
    return doctor


def set_schedule(session: Session, *, doctor_id: int, slots: list[ScheduleSlot]) -> list[DoctorSchedule]:
    for slot in slots:
        if not 0 <= slot.weekday <= 6 or slot.starts_at >= slot.ends_at:
            raise RuleViolation("排班时段无效：星期取 0–6，开始须早于结束 / invalid schedule slot", code=ErrorCode.BAD_SCHEDULE)
    existing = session.execute(select(DoctorSchedule).where(DoctorSchedule.doctor_id == doctor_id)).scalars().all()
    for row in existing:  # schedules are plans, not medical records: replacing them loses nothing
        session.delete(row)
    rows = [DoctorSchedule(doctor_id=doctor_id, weekday=s.weekday, starts_at=s.starts_at, ends_at=s.ends_at)
            for s in slots]
    session.add_all(rows)
    session.flush()
    return rows


def schedule_of(session: Session, *, doctor_id: int) -> list[DoctorSchedule]:
    return list(session.execute(select(DoctorSchedule).where(DoctorSchedule.doctor_id == doctor_id)
                                .order_by(DoctorSchedule.weekday, DoctorSchedule.starts_at)).scalars())


def active_work_session(session: Session, *, doctor_id: int, now: datetime) -> WorkSession | None:
    return session.execute(select(WorkSession).where(
        WorkSession.doctor_id == doctor_id, WorkSession.ended_at.is_(None), WorkSession.expires_at > now,
    ).order_by(WorkSession.id.desc()).limit(1)).scalar_one_or_none()


def _check_secret(session: Session, doctor: Doctor, *, username: str, method: str, secret: str) -> None:
    if method == "password":
        try:
            identity.authenticate(session, username=username, password=secret)
        except AppError as exc:
            if exc.status == 429:
                raise
            raise Forbidden("实名再认证失败：密码错误 / re-authentication failed: wrong password",
                            code=ErrorCode.REAUTH_FAILED) from exc
        return
    if method != "pin":
        raise RuleViolation("认证方式须为 password 或 pin / method must be password or pin", code=ErrorCode.BAD_REAUTH_METHOD)
    if doctor.pin_hash is None:
        raise RuleViolation("尚未设置PIN或PIN已因多次错误停用，请使用密码认证 / no PIN set (or disabled after "
                            "repeated failures): use the password", code=ErrorCode.PIN_NOT_SET)
    if not verify_password(secret, doctor.pin_hash):
        doctor.reauth_failures += 1
        if doctor.reauth_failures >= MAX_PIN_FAILURES:
            doctor.pin_hash, doctor.reauth_failures = None, 0
        raise Forbidden("实名再认证失败：PIN错误 / re-authentication failed: wrong PIN", code=ErrorCode.REAUTH_FAILED)
    doctor.reauth_failures = 0


def go_online(session: Session, *, doctor_user_id: int, username: str, method: str, secret: str,
              client_ip: str | None = None) -> WorkSession:
    """IDT-05: the doctor proves again who they are; this opens a recorded period of online work.

    A failed attempt raises after counting the failure: the caller commits so the counter stays.
    """
    doctor = doctor_row_by_user(session, user_id=doctor_user_id)
    eligibility = rules.doctor_eligibility(doctor_facts(doctor), local_today())
    if not eligibility.ok:
        raise RuleViolation(f"不能上线接诊：{eligibility.reason}", code=ErrorCode.DOCTOR_NOT_ELIGIBLE)
    _check_secret(session, doctor, username=username, method=method, secret=secret)
    now = utcnow()
    session.execute(update(WorkSession).where(WorkSession.doctor_id == doctor.id, WorkSession.ended_at.is_(None))
                    .values(ended_at=now))
    work = WorkSession(doctor_id=doctor.id, method=method, authenticated_at=now, expires_at=now + rules.WORK_SESSION,
                       client_ip=client_ip)
    session.add(work)
    doctor.online = True
    session.flush()
    audit.record(session, action="hospital.doctor.reauth", entity_type="doctor", entity_id=doctor.id,
                 detail={"method": method, "work_session_id": work.id, "expires_at": work.expires_at})
    return work


def go_offline(session: Session, *, doctor_user_id: int) -> None:
    doctor = doctor_row_by_user(session, user_id=doctor_user_id)
    session.execute(update(WorkSession).where(WorkSession.doctor_id == doctor.id, WorkSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))
    doctor.online = False
    session.flush()


def set_pin(session: Session, *, doctor_user_id: int, username: str, password: str, pin: str) -> None:
    doctor = doctor_row_by_user(session, user_id=doctor_user_id)
    if not _PIN.match(pin):
        raise RuleViolation("PIN须为6位数字 / the PIN must be 6 digits", code=ErrorCode.BAD_PIN)
    _check_secret(session, doctor, username=username, method="password", secret=password)
    doctor.pin_hash, doctor.reauth_failures = hash_password(pin), 0
    session.flush()
    audit.record(session, action="hospital.doctor.pin_set", entity_type="doctor", entity_id=doctor.id, detail={})
