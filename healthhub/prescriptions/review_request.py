"""Builds the pharmacist review request (healthhub/review/schemas.py) from a signed prescription."""
from decimal import Decimal

from sqlalchemy.orm import Session

from healthhub.hospital.service import DoctorView
from healthhub.patients.service import PatientView
from healthhub.prescriptions.models import Prescription
from healthhub.prescriptions.rules import FREQUENCIES
from healthhub.prescriptions.service import signature_valid
from healthhub.review.schemas import ItemIn, PatientIn, PrescriberIn, ReviewRequest

# The review engine checks doses in milligrams; other units (tablets, ml) go without a dose figure.
_TO_MG = {"mg": Decimal(1), "g": Decimal(1000), "μg": Decimal("0.001")}


def _dose_mg(dose: str, unit: str) -> float | None:
    factor = _TO_MG.get(unit)
    return float(Decimal(dose) * factor) if factor is not None else None


def build_review_request(session: Session, rx: Prescription, patient: PatientView,
                         doctor: DoctorView) -> ReviewRequest:
    return ReviewRequest(
        patient=PatientIn(age_years=round(patient.age_years, 2), sex=patient.sex, weight_kg=patient.weight_kg,
                          pregnant=patient.pregnant, lactating=patient.lactating, allergies=list(patient.allergies),
                          conditions=list(patient.conditions)),
        diagnoses=[d["code"] for d in rx.diagnoses], emergency=rx.emergency, long_term=rx.long_term,
        items=[ItemIn(drug=i.generic_name, dose_mg=_dose_mg(i.dose, i.unit), times_per_day=FREQUENCIES[i.frequency][1],
                      route=i.route, days=i.days) for i in rx.items],
        prescriber=PrescriberIn(qualified=doctor.eligible_online, signature_valid=bool(signature_valid(session, rx=rx)),
                                patient_identified=bool(patient.id_number_masked),
                                issued_on=rx.issued_on.isoformat(), valid_until=rx.valid_until.isoformat(),
                                long_term_reason=rx.extended_reason if rx.long_term else None),
        reason_for_extended_days=None if rx.long_term else rx.extended_reason)
