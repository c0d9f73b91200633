"""IDT-11 / DP-03: outpatient records (15 years) and chat (3 years) are never deleted.

A deletion request seals the patient's data instead; sealed rows vanish from normal views and are
read only by an administrator who states a reason (audited). The ORM guard below refuses any
delete of a retained row, whether through `session.delete` or a bulk `DELETE` statement.
"""
from dataclasses import dataclass

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.db import utcnow
from healthhub.core.errors import AppError, Conflict, NotFound, RuleViolation
from healthhub.core.public_ids import PublicId, encode
from healthhub.hospital.models import ChatMessage, Consent, Consultation, MedicalRecord, Patient, Retained
from healthhub.hospital.service_patients import owned_patient

RETAINED_TABLES = frozenset(m.__tablename__ for m in (Patient, MedicalRecord, Consultation, ChatMessage))


class RetentionViolation(AppError):
    status, code, title = 409, "retention-no-delete", "病历须依法保存"


_NO_DELETE = "病历和问诊记录依法保存（门诊病历≥15年、聊天记录≥3年），只能封存不能删除 / medical records are kept " \
             "(IDT-11) and can only be sealed, never deleted"


@event.listens_for(Session, "before_flush")
def _refuse_deletes(session, _context, _instances) -> None:
    if any(isinstance(obj, Retained) for obj in session.deleted):
        raise RetentionViolation(_NO_DELETE)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_deletes(state) -> None:
    if state.is_delete and state.bind_mapper is not None and state.bind_mapper.local_table.name in RETAINED_TABLES:
        raise RetentionViolation(_NO_DELETE)


def seal_patient(session: Session, *, account_user_id: int, patient_id: int, reason: str) -> Patient:
    """DP-03: the patient's deletion request. Consent ends; everything about them is sealed."""
    patient = owned_patient(session, account_user_id=account_user_id, patient_id=patient_id)
    if patient.relationship == "本人" and session.execute(select(Patient.id).where(
            Patient.account_user_id == account_user_id, Patient.relationship != "本人",
            Patient.sealed_at.is_(None))).first():
        raise Conflict("请先处理家庭成员档案，再申请删除本人档案 / seal family members' profiles first: you are "
                       "their guardian", code="family-members-remain")
    if session.execute(select(Consultation.id).where(Consultation.patient_id == patient.id,
                                                     Consultation.status.in_(("waiting", "in_progress")))).first():
        raise Conflict("有进行中的问诊，结束后才能申请删除 / finish the open consultation first",
                       code="consultation-open")
    now, reason = utcnow(), reason.strip()[:200] or "患者申请删除"
    patient.sealed_at, patient.sealed_reason = now, reason
    session.execute(update(Consent).where(Consent.patient_id == patient.id, Consent.withdrawn_at.is_(None))
                    .values(withdrawn_at=now))
    session.execute(update(MedicalRecord).where(MedicalRecord.patient_id == patient.id,
                                                MedicalRecord.sealed_at.is_(None)).values(sealed_at=now))
    consultation_ids = select(Consultation.id).where(Consultation.patient_id == patient.id).scalar_subquery()
    session.execute(update(ChatMessage).where(ChatMessage.consultation_id.in_(consultation_ids),
                                              ChatMessage.sealed_at.is_(None)).values(sealed_at=now))
    session.execute(update(Consultation).where(Consultation.patient_id == patient.id,
                                               Consultation.sealed_at.is_(None)).values(sealed_at=now))
    session.flush()
    audit.record(session, action="hospital.patient.seal", entity_type="patient", entity_id=patient.id,
                 detail={"reason": reason})
    return patient


@dataclass(frozen=True)
class SealedDossier:
    patient_id: PublicId
    name: str
    sealed_at: str
    sealed_reason: str
    records: list[dict]
    consultations: list[dict]
    message_count: int


def read_sealed(session: Session, *, patient_id: int, reason: str) -> SealedDossier:
    """Admin-only access to a sealed patient's data, with the stated reason in the audit log."""
    if len(reason.strip()) < 5:
        raise RuleViolation("查阅封存数据须说明理由（至少5个字）/ state a reason (5+ characters)",
                            code="reason-required")
    patient = session.get(Patient, patient_id)
    if patient is None or patient.sealed_at is None:
        raise NotFound("没有该封存档案 / no sealed patient with this id", code="sealed-not-found")
    records = session.execute(select(MedicalRecord).where(MedicalRecord.patient_id == patient.id)).scalars().all()
    consultations = session.execute(select(Consultation).where(Consultation.patient_id == patient.id)).scalars().all()
    count = session.execute(select(ChatMessage.id).where(
        ChatMessage.consultation_id.in_([c.id for c in consultations]))).all() if consultations else []
    audit.record(session, action="hospital.sealed.read", entity_type="patient", entity_id=patient.id,
                 detail={"reason": reason.strip()})
    return SealedDossier(
        patient_id=patient.id, name=patient.name, sealed_at=patient.sealed_at.isoformat(),
        sealed_reason=patient.sealed_reason or "",
        records=[{"id": encode(r.id), "type": r.record_type, "institution": r.institution, "date": r.visit_date.isoformat(),
                  "icd10": r.diagnosis_code, "diagnosis": r.diagnosis_text} for r in records],
        consultations=[{"id": encode(c.id), "status": c.status, "diagnoses": c.diagnoses, "advice": c.advice}
                       for c in consultations], message_count=len(count))
