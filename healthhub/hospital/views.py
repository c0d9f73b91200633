"""Frozen views handed to callers (this domain's pages and APIs, and other domains through
`service.py`). Built from rows here, so no caller ever holds a hospital ORM object."""
from dataclasses import dataclass
from datetime import date, datetime

from healthhub.core.dates import full_years, local_today
from healthhub.core.public_ids import PublicId
from healthhub.hospital import rules
from healthhub.hospital.models import Centre, Consultation, Department, Doctor
from healthhub.patients.service import MedicalRecordView, PatientView


@dataclass(frozen=True)
class Diagnosis:
    code: str  # ICD-10
    name: str


@dataclass(frozen=True)
class DoctorView:
    id: PublicId
    user_id: PublicId
    name: str
    title: str
    licence_no: str
    institution: str
    affiliation: str  # "own" | "partner"
    years_of_practice: int
    eligible_online: bool
    ineligible_reason: str  # "" when eligible
    centre_id: PublicId
    centre: str
    departments: list[str]
    department_ids: list[PublicId]
    specialties: list[str]
    online: bool


@dataclass(frozen=True)
class ConsultationView:
    id: PublicId
    patient_id: PublicId
    account_user_id: PublicId
    doctor_id: PublicId | None
    status: str  # waiting | in_progress | completed | terminated | cancelled
    department_id: PublicId
    department: str
    centre_id: PublicId
    complaint: str
    record_id: PublicId | None
    diagnoses: list[Diagnosis]
    advice: str
    emergency: bool
    under6: bool
    under6_confirmed: bool
    termination_reason: str | None
    queued_at: datetime
    started_at: datetime | None
    first_reply_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class RecordView:
    kind: str  # "earlier_diagnosis" | "consultation"
    id: PublicId  # record id or consultation id, per kind
    patient_id: PublicId
    record_type: str
    institution: str
    date: date
    diagnoses: list[Diagnosis]
    summary: str
    has_image: bool
    doctor_id: PublicId | None


def doctor_facts(doctor: Doctor) -> rules.DoctorFacts:
    return rules.DoctorFacts(licence_no=doctor.licence_no, practice_started_on=doctor.practice_started_on,
                             institution_consent=doctor.institution_consent, affiliation=doctor.affiliation,
                             multi_site_filed=doctor.multi_site_filed)


def doctor_view(doctor: Doctor, centre: Centre, departments: list[Department], today: date, *,
                online: bool) -> DoctorView:
    """`online` is the caller's live answer (flag and an unexpired work session), never the bare flag."""
    eligibility = rules.doctor_eligibility(doctor_facts(doctor), today)
    return DoctorView(
        id=doctor.id, user_id=doctor.user_id, name=doctor.name, title=doctor.title, licence_no=doctor.licence_no,
        institution=doctor.institution, affiliation=doctor.affiliation,
        years_of_practice=full_years(doctor.practice_started_on, today), eligible_online=eligibility.ok,
        ineligible_reason=eligibility.reason, centre_id=centre.id, centre=centre.name,
        departments=[d.name for d in departments], department_ids=[d.id for d in departments],
        specialties=list(doctor.specialties or []), online=online)


def diagnoses_of(items: list[dict]) -> list[Diagnosis]:
    return [Diagnosis(code=item["code"], name=item["name"]) for item in items or []]


def consultation_view(consultation: Consultation, department: Department, patient: PatientView) -> ConsultationView:
    """`patient`: the consultation's patient, sealed or not (`patients.service.get_patient`)."""
    return ConsultationView(
        id=consultation.id, patient_id=consultation.patient_id, account_user_id=consultation.account_user_id,
        doctor_id=consultation.doctor_id, status=consultation.status, department_id=department.id,
        department=department.name, centre_id=department.centre_id, complaint=consultation.complaint,
        record_id=consultation.record_id, diagnoses=diagnoses_of(consultation.diagnoses), advice=consultation.advice,
        emergency=consultation.emergency, under6=patient.under6,
        under6_confirmed=bool(consultation.guardian_present_at and consultation.doctor_present_at),
        termination_reason=consultation.termination_reason, queued_at=consultation.queued_at,
        started_at=consultation.accepted_at, first_reply_at=consultation.first_reply_at,
        ended_at=consultation.ended_at)


def earlier_record_view(record: MedicalRecordView) -> RecordView:
    return RecordView(kind="earlier_diagnosis", id=record.id, patient_id=record.patient_id,
                      record_type=record.record_type, institution=record.institution, date=record.visit_date,
                      diagnoses=[Diagnosis(record.diagnosis_code, record.diagnosis_text)],
                      summary=record.diagnosis_text, has_image=record.has_image, doctor_id=None)


def consultation_record_view(consultation: Consultation, department: Department, institution: str) -> RecordView:
    day = local_today(consultation.ended_at or consultation.queued_at)
    summary = consultation.advice or rules.TERMINATION_REASONS.get(consultation.termination_reason or "", "")
    return RecordView(kind="consultation", id=consultation.id, patient_id=consultation.patient_id,
                      record_type=f"互联网诊疗记录（{department.name}）", institution=institution, date=day,
                      diagnoses=diagnoses_of(consultation.diagnoses), summary=summary, has_image=False,
                      doctor_id=consultation.doctor_id)
