"""Which doctors a waiting request is offered to: first the doctors of its department; once it has
waited past the timeout (escalated), every doctor of the specialty centre, ahead of fresh requests.
A doctor who accepted it and never answered is left out for good (reassign_stale records that)."""
from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from healthhub.hospital import rules
from healthhub.hospital.models import Consultation, ConsultationExclusion, Department, Doctor, DoctorDepartment


def pool_facts(session: Session, *, doctor: Doctor, consultation: Consultation, department: Department) -> rules.PoolFacts:
    return rules.PoolFacts(
        in_department=session.get(DoctorDepartment, (doctor.id, department.id)) is not None,
        same_centre=doctor.centre_id == department.centre_id,
        escalated=consultation.escalated_at is not None,
        excluded=session.get(ConsultationExclusion, (consultation.id, doctor.id)) is not None)


def is_offered(session: Session, *, doctor: Doctor, consultation: Consultation) -> bool:
    department = session.get(Department, consultation.department_id)
    return consultation.status == "waiting" and rules.offered_to(pool_facts(session, doctor=doctor, consultation=consultation, department=department))


def waiting_for(session: Session, *, doctor: Doctor, limit: int = 50) -> list[Consultation]:
    """The doctor's queue: the same pool as rules.offered_to, escalated requests first, then oldest first."""
    own = select(DoctorDepartment.department_id).where(DoctorDepartment.doctor_id == doctor.id)
    excluded = select(ConsultationExclusion.consultation_id).where(ConsultationExclusion.doctor_id == doctor.id)
    return list(session.execute(
        select(Consultation).join(Department, Department.id == Consultation.department_id)
        .where(Consultation.status == "waiting", Consultation.sealed_at.is_(None),
               or_(Department.id.in_(own),
                   and_(Consultation.escalated_at.is_not(None), Department.centre_id == doctor.centre_id)),
               Consultation.id.not_in(excluded))
        .order_by(case((Consultation.escalated_at.is_not(None), 0), else_=1), Consultation.queued_at,
                  Consultation.id)
        .limit(limit)).scalars())
