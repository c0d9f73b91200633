"""IDT-11 / DP-03 for the internet hospital: consultations (outpatient records, 15 years) and chat (3 years)
are never deleted (the guard is `core/retention.py`). A patient's deletion request, made in the patient
registry, seals them too; an administrator reads sealed data only with a stated reason (audited)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.errors import Conflict, RuleViolation
from healthhub.core.public_ids import PublicId, encode
from healthhub.hospital.errors import ErrorCode
from healthhub.hospital.models import ChatMessage, Consultation
from healthhub.patients import service as patients


def seal_consultations_of(session: Session, *, patient_id: int, sealed_at: datetime) -> None:
    """Seals the patient's consultations and their chat; refuses while one is still open (the request
    then fails as a whole, nothing sealed)."""
    if session.execute(select(Consultation.id).where(Consultation.patient_id == patient_id,
                                                     Consultation.status.in_(("waiting", "in_progress")))).first():
        raise Conflict("有进行中的问诊，结束后才能申请删除 / finish the open consultation first",
                       code=ErrorCode.CONSULTATION_OPEN)
    consultation_ids = select(Consultation.id).where(Consultation.patient_id == patient_id).scalar_subquery()
    session.execute(update(ChatMessage).where(ChatMessage.consultation_id.in_(consultation_ids),
                                              ChatMessage.sealed_at.is_(None)).values(sealed_at=sealed_at))
    session.execute(update(Consultation).where(Consultation.patient_id == patient_id,
                                               Consultation.sealed_at.is_(None)).values(sealed_at=sealed_at))
    session.flush()


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
                            code=ErrorCode.REASON_REQUIRED)
    patient = patients.sealed_patient(session, patient_id=patient_id)
    consultations = session.execute(select(Consultation).where(Consultation.patient_id == patient.id)).scalars().all()
    count = session.execute(select(ChatMessage.id).where(
        ChatMessage.consultation_id.in_([c.id for c in consultations]))).all() if consultations else []
    audit.record(session, action="hospital.sealed.read", entity_type="patient", entity_id=patient.id,
                 detail={"reason": reason.strip()})
    return SealedDossier(
        patient_id=patient.id, name=patient.name, sealed_at=patient.sealed_at.isoformat(),
        sealed_reason=patient.sealed_reason,
        records=[{"id": encode(r.id), "type": r.record_type, "institution": r.institution,
                  "date": r.visit_date.isoformat(), "icd10": r.diagnosis_code, "diagnosis": r.diagnosis_text}
                 for r in patient.records],
        consultations=[{"id": encode(c.id), "status": c.status, "diagnoses": c.diagnoses, "advice": c.advice}
                       for c in consultations], message_count=len(count))
