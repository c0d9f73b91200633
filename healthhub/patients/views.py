"""Frozen views handed to callers (this domain's API, and other domains through `service.py`). Built from
rows here, so no caller outside the registry ever holds a patient ORM object."""
from dataclasses import dataclass
from datetime import date, datetime

from healthhub.core.identity_numbers import mask_id_number
from healthhub.core.public_ids import PublicId
from healthhub.patients import rules
from healthhub.patients.models import Consent, MedicalRecord, Patient


@dataclass(frozen=True)
class GuardianView:
    user_id: PublicId
    name: str
    relationship: str  # 父亲 / 母亲 / ...


@dataclass(frozen=True)
class PatientView:
    id: PublicId
    account_user_id: PublicId
    relationship: str
    name: str
    id_number_masked: str
    sex: str  # "M" | "F"
    birth_date: date
    age_years: float
    age_text: str
    under6: bool
    weight_kg: float | None
    pregnant: bool
    lactating: bool
    allergies: list[str]
    conditions: list[str]  # ICD-10 codes
    condition_names: list[str]
    guardian: GuardianView | None
    consent_given: bool
    sealed: bool

    @property
    def masked_name(self) -> str:
        """The name where a page or record shows a patient to anyone else: the surname only (张**)."""
        return self.name[:1] + "*" * max(1, len(self.name) - 1)


@dataclass(frozen=True)
class ConsentView:
    patient_id: PublicId
    granted_as: str  # self | guardian | authorised
    granted_at: datetime
    notice_version: str


@dataclass(frozen=True)
class MedicalRecordView:
    """An earlier diagnosis from a physical visit (IDT-02)."""

    id: PublicId
    patient_id: PublicId
    record_type: str
    institution: str
    visit_date: date
    diagnosis_code: str  # ICD-10
    diagnosis_text: str
    has_image: bool
    retain_until: date
    sealed: bool


@dataclass(frozen=True)
class SealedPatientView:
    """What an administrator reads of a sealed patient (DP-03), earlier records included."""

    id: PublicId
    name: str
    sealed_at: datetime
    sealed_reason: str
    records: list[MedicalRecordView]


def patient_view(patient: Patient, *, consent_given: bool, guardian_name: str | None, today: date) -> PatientView:
    minor = rules.is_under(patient.birth_date, rules.ADULT_AGE, today)
    guardian = (GuardianView(patient.account_user_id, guardian_name or "", patient.guardian_relationship)
                if minor and patient.guardian_relationship else None)
    return PatientView(
        id=patient.id, account_user_id=patient.account_user_id, relationship=patient.relationship, name=patient.name,
        id_number_masked=mask_id_number(patient.id_number), sex=patient.sex, birth_date=patient.birth_date,
        age_years=rules.age_years(patient.birth_date, today), age_text=rules.age_text(patient.birth_date, today),
        under6=rules.is_under(patient.birth_date, rules.UNDER6_AGE, today), weight_kg=patient.weight_kg,
        pregnant=patient.pregnant, lactating=patient.lactating, allergies=list(patient.allergies or []),
        conditions=[c["code"] for c in patient.conditions or []],
        condition_names=[c["name"] for c in patient.conditions or []], guardian=guardian,
        consent_given=consent_given, sealed=patient.sealed_at is not None)


def consent_view(consent: Consent) -> ConsentView:
    return ConsentView(patient_id=consent.patient_id, granted_as=consent.granted_as, granted_at=consent.granted_at,
                       notice_version=consent.notice_version)


def record_view(record: MedicalRecord) -> MedicalRecordView:
    return MedicalRecordView(
        id=record.id, patient_id=record.patient_id, record_type=record.record_type, institution=record.institution,
        visit_date=record.visit_date, diagnosis_code=record.diagnosis_code, diagnosis_text=record.diagnosis_text,
        has_image=record.image_data is not None, retain_until=record.retain_until,
        sealed=record.sealed_at is not None)
