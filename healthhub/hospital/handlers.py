"""Reactions to the patient registry, delivered in the patient's own transaction: a sealed patient's
consultations and chat are sealed with them (DP-03), or the deletion request is refused while one is open."""
from sqlalchemy.orm import Session

from healthhub.core.events import handles
from healthhub.hospital.retention import seal_consultations_of
from healthhub.patients.events import PatientSealed


@handles(PatientSealed)
def patient_sealed(session: Session, event: PatientSealed) -> None:
    seal_consultations_of(session, patient_id=event.patient_id, sealed_at=event.sealed_at)


HANDLERS = [patient_sealed]
