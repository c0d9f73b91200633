"""The doctor directory patients browse: eligible doctors (IDT-04) with centre, departments,
specialties, today's schedule and a live online state."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from healthhub.core.dates import local_today
from healthhub.core.pagination import PageParams, paginate
from healthhub.core.public_ids import PublicId
from healthhub.hospital import rules
from healthhub.hospital.models import (Centre, Consultation, Department, Doctor, DoctorDepartment, DoctorSchedule,
                                       WorkSession)


@dataclass(frozen=True)
class DoctorCard:
    id: PublicId
    name: str
    title: str
    institution: str
    affiliation: str  # "own" | "partner"
    centre_id: PublicId
    centre: str
    departments: list[str]
    department_ids: list[PublicId]
    specialties: list[str]
    introduction: str
    online: bool
    today_slots: list[str]  # "08:00–12:00", China local time


def _online(now: datetime):
    # The flag alone goes stale: a doctor whose IDT-05 work session expired cannot take anyone.
    live = exists().where(WorkSession.doctor_id == Doctor.id, WorkSession.ended_at.is_(None),
                          WorkSession.expires_at > now)
    return and_(Doctor.online.is_(True), live)


def _eligible(now: datetime):
    # The query form of rules.doctor_eligibility; licence numbers are already checked on every profile.
    return and_(Doctor.practice_started_on <= rules.latest_practice_start(local_today(now)),
                Doctor.institution_consent.is_(True),
                or_(Doctor.affiliation != "partner", Doctor.multi_site_filed.is_(True)))


def find_doctors(session: Session, *, now: datetime, params: PageParams, centre_id: int | None = None,
                 department_id: int | None = None, online: bool | None = None) -> tuple[list[DoctorCard], int]:
    """Online doctors first; filters combine. Returns one page and the total."""
    live = _online(now)
    query = select(Doctor).where(_eligible(now))
    if centre_id is not None:
        query = query.where(Doctor.centre_id == centre_id)
    if department_id is not None:
        query = query.where(Doctor.id.in_(select(DoctorDepartment.doctor_id)
                                          .where(DoctorDepartment.department_id == department_id)))
    if online is not None:
        query = query.where(live if online else ~live)
    doctors, total = paginate(session, query.order_by(case((live, 0), else_=1), Doctor.id), params)
    return _cards(session, doctors, now), total


def _cards(session: Session, doctors: list[Doctor], now: datetime) -> list[DoctorCard]:
    ids = [d.id for d in doctors]
    if not ids:
        return []
    centres = {c.id: c.name for c in session.execute(
        select(Centre).where(Centre.id.in_({d.centre_id for d in doctors}))).scalars()}
    departments: dict[int, list[Department]] = {}
    for doctor_id, department in session.execute(
            select(DoctorDepartment.doctor_id, Department).join(Department, Department.id ==
                                                                 DoctorDepartment.department_id)
            .where(DoctorDepartment.doctor_id.in_(ids)).order_by(Department.id)):
        departments.setdefault(doctor_id, []).append(department)
    slots: dict[int, list[str]] = {}
    for slot in session.execute(select(DoctorSchedule).where(
            DoctorSchedule.doctor_id.in_(ids), DoctorSchedule.weekday == local_today(now).weekday())
            .order_by(DoctorSchedule.starts_at)).scalars():
        slots.setdefault(slot.doctor_id, []).append(f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}")
    online = set(session.execute(select(Doctor.id).where(Doctor.id.in_(ids), _online(now))).scalars())
    return [DoctorCard(id=d.id, name=d.name, title=d.title, institution=d.institution, affiliation=d.affiliation,
                       centre_id=d.centre_id, centre=centres[d.centre_id],
                       departments=[x.name for x in departments.get(d.id, [])],
                       department_ids=[x.id for x in departments.get(d.id, [])],
                       specialties=list(d.specialties or []), introduction=d.introduction, online=d.id in online,
                       today_slots=slots.get(d.id, [])) for d in doctors]


GENERAL_PRACTICE_CENTRE = "gp"  # data/departments.csv: 全科 and 内科 take any follow-up


@dataclass(frozen=True)
class DepartmentAvailability:
    """What a patient choosing a department should know: who is online now, how long the queue is, the
    expected wait (rules.expected_wait_minutes), and where to be seen sooner when nobody is online."""

    department_id: PublicId
    department: str
    centre_id: PublicId
    centre: str
    online_doctors: int
    centre_online_doctors: int  # the doctors an escalated request reaches (rules.offered_to)
    waiting: int
    expected_wait_minutes: int | None
    alternative_id: PublicId | None  # rules.nearest_staffed, only when nobody of the department is online


def department_availability(session: Session, *, now: datetime) -> list[DepartmentAvailability]:
    """Every department with live counts, in the centres' order."""
    live = and_(_eligible(now), _online(now))
    by_department = dict(session.execute(
        select(DoctorDepartment.department_id, func.count(func.distinct(Doctor.id)))
        .join(Doctor, Doctor.id == DoctorDepartment.doctor_id).where(live)
        .group_by(DoctorDepartment.department_id)).all())
    by_centre = dict(session.execute(select(Doctor.centre_id, func.count(Doctor.id)).where(live)
                                     .group_by(Doctor.centre_id)).all())
    waiting = dict(session.execute(
        select(Consultation.department_id, func.count(Consultation.id))
        .where(Consultation.status == "waiting", Consultation.sealed_at.is_(None))
        .group_by(Consultation.department_id)).all())
    rows = session.execute(select(Department, Centre).join(Centre, Centre.id == Department.centre_id)
                           .order_by(Centre.sort_order, Department.id)).all()
    loads = {department.id: rules.DepartmentLoad(
        department_id=department.id, centre_id=centre.id, online_doctors=by_department.get(department.id, 0),
        waiting=waiting.get(department.id, 0)) for department, centre in rows}
    general = next((centre.id for _, centre in rows if centre.code == GENERAL_PRACTICE_CENTRE), None)
    result = []
    for department, centre in rows:
        load = loads[department.id]
        alternative = None if load.online_doctors else rules.nearest_staffed(
            load, list(loads.values()), general_centre_id=general)
        result.append(DepartmentAvailability(
            department_id=department.id, department=department.name, centre_id=centre.id, centre=centre.name,
            online_doctors=load.online_doctors, centre_online_doctors=by_centre.get(centre.id, 0),
            waiting=load.waiting,
            expected_wait_minutes=rules.expected_wait_minutes(waiting=load.waiting, online_doctors=load.online_doctors),
            alternative_id=alternative.department_id if alternative else None))
    return result
