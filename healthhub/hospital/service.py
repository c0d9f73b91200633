"""The internet hospital's public service API: the ONLY entry point for other domains
(prescriptions, family doctor, FHIR). Names and semantics are stable; every function takes the
caller's Session, flushes at most, never commits, and returns frozen dataclasses from `views`.

    get_patient(session, *, patient_id) -> PatientView
        Any patient, sealed or not: a sealed one comes back with `sealed=True` and must not be
        shown (DP-03). NotFound when the id does not exist. `age_years` is fractional (an infant
        of 3 months is 0.25); `age_text` reads "3个月" / "2岁1个月" / "45岁" (RX-04); `under6` is
        calendar-exact; `conditions` are ICD-10 codes (`condition_names` alongside); `guardian`
        is set for minors (the account holder and how they are related); `consent_given` is the
        current DP-02 separate consent.
    list_patients_of_account(session, *, account_user_id) -> list[PatientView]
        The account holder and family members, sealed ones left out, 本人 first.
    get_doctor(session, *, doctor_id) -> DoctorView
    get_doctor_by_user(session, *, user_id) -> DoctorView
        NotFound when the user has no doctor profile. `online` is live: the doctor went online and
        the IDT-05 work session has not expired. `eligible_online` is IDT-04 (licence,
        ≥3 years' practice, institution consent, multi-site filing for partner doctors) with
        `ineligible_reason` saying why not; `affiliation` is "own" or "partner".
    list_doctors(session, *, limit=100, offset=0) -> list[DoctorView]
    get_consultation(session, *, consultation_id) -> ConsultationView
        NotFound when missing or sealed. `status` is waiting | in_progress |
        completed | terminated | cancelled; `started_at` is when the doctor accepted;
        `diagnoses` are `Diagnosis(code, name)` with ICD-10 codes; `under6_confirmed` is IDT-10.
    list_consultations_of_patient(session, *, patient_id) -> list[ConsultationView]
        Newest first, sealed ones left out.
    assert_can_prescribe(session, *, consultation_id, doctor_user_id) -> ConsultationView
        Raises Forbidden (403) when the user is not this consultation's doctor, RuleViolation
        (422) with a clear Chinese/English message and a stable code when: the consultation is
        not in progress (`consultation-not-in-progress`), the doctor is not eligible
        (`doctor-not-eligible`), the doctor's re-authentication expired (`reauth-required`,
        IDT-05), the patient withdrew consent (`consent-required`), or the patient is under 6 and
        the guardian's and doctor's presence are not both confirmed (`under6-confirmation-required`,
        IDT-10). Returns the consultation on success.
    list_records(session, *, patient_id) -> list[RecordView]
        Earlier diagnoses (kind "earlier_diagnosis") and finished consultation summaries (kind
        "consultation"), newest first, sealed ones left out.

Events published through `core.events` (payload keys in brackets):
    "hospital.consultation.requested" {consultation_id, patient_id, account_user_id, department_id,
                                       follow_up_basis}
    "hospital.consultation.accepted"  {consultation_id, patient_id, account_user_id, doctor_id}
    "hospital.consultation.closed"    {consultation_id, patient_id, account_user_id, doctor_id, status}
        status is completed | terminated | cancelled (the patient withdrew it while it waited in the queue).
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.db import utcnow
from healthhub.core.errors import Forbidden, NotFound, RuleViolation
from healthhub.hospital.models import Centre, Consultation, Department, Doctor, DoctorDepartment, MedicalRecord
from healthhub.hospital.service_doctors import active_work_session, doctor_row_by_user
from healthhub.hospital.service_patients import has_consent, patient_row, patient_rows_of_account, patient_view_of
from healthhub.hospital.views import (ConsultationView, Diagnosis, DoctorView, GuardianView, PatientView, RecordView,
                                      consultation_record_view, consultation_view, doctor_view, earlier_record_view,
                                      local_today)

HOSPITAL_NAME = "健康枢纽互联网医院"

__all__ = ["ConsultationView", "Diagnosis", "DoctorView", "GuardianView", "PatientView", "RecordView",
           "HOSPITAL_NAME", "assert_can_prescribe", "get_consultation", "get_doctor", "get_doctor_by_user",
           "get_patient", "list_consultations_of_patient", "list_doctors", "list_patients_of_account",
           "list_records"]


def get_patient(session: Session, *, patient_id: int) -> PatientView:
    return patient_view_of(session, patient_row(session, patient_id, include_sealed=True))


def list_patients_of_account(session: Session, *, account_user_id: int) -> list[PatientView]:
    return [patient_view_of(session, p) for p in patient_rows_of_account(session, account_user_id)]


def _doctor_view(session: Session, doctor: Doctor) -> DoctorView:
    centre = session.get(Centre, doctor.centre_id)
    departments = session.execute(
        select(Department).join(DoctorDepartment, DoctorDepartment.department_id == Department.id)
        .where(DoctorDepartment.doctor_id == doctor.id).order_by(Department.id)).scalars().all()
    online = doctor.online and active_work_session(session, doctor.id, utcnow()) is not None
    return doctor_view(doctor, centre, list(departments), local_today(), online=online)


def get_doctor(session: Session, *, doctor_id: int) -> DoctorView:
    doctor = session.get(Doctor, doctor_id)
    if doctor is None:
        raise NotFound("医生不存在 / doctor not found", code="doctor-not-found")
    return _doctor_view(session, doctor)


def get_doctor_by_user(session: Session, *, user_id: int) -> DoctorView:
    return _doctor_view(session, doctor_row_by_user(session, user_id))


def list_doctors(session: Session, *, limit: int = 100, offset: int = 0) -> list[DoctorView]:
    doctors = session.execute(select(Doctor).order_by(Doctor.id).limit(limit).offset(offset)).scalars().all()
    return [_doctor_view(session, d) for d in doctors]


def consultation_row(session: Session, consultation_id: int) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or consultation.sealed_at is not None:
        raise NotFound("问诊不存在 / consultation not found", code="consultation-not-found")
    return consultation


def view_of(session: Session, consultation: Consultation) -> ConsultationView:
    department = session.get(Department, consultation.department_id)
    patient = patient_row(session, consultation.patient_id, include_sealed=True)
    return consultation_view(consultation, department, patient, local_today())


def get_consultation(session: Session, *, consultation_id: int) -> ConsultationView:
    return view_of(session, consultation_row(session, consultation_id))


def list_consultations_of_patient(session: Session, *, patient_id: int) -> list[ConsultationView]:
    rows = session.execute(select(Consultation).where(Consultation.patient_id == patient_id,
                                                      Consultation.sealed_at.is_(None))
                           .order_by(Consultation.queued_at.desc(), Consultation.id.desc())).scalars().all()
    return [view_of(session, c) for c in rows]


def assert_can_prescribe(session: Session, *, consultation_id: int, doctor_user_id: int) -> ConsultationView:
    consultation = consultation_row(session, consultation_id)
    doctor = doctor_row_by_user(session, doctor_user_id)
    if consultation.doctor_id != doctor.id:
        raise Forbidden("您不是该问诊的接诊医生，不能开具处方 / only the treating doctor may prescribe (IDT-07)",
                        code="not-treating-doctor")
    if consultation.status != "in_progress":
        raise RuleViolation("问诊不在进行中，不能开具处方 / the consultation is not in progress",
                            code="consultation-not-in-progress")
    view = _doctor_view(session, doctor)
    if not view.eligible_online:
        raise RuleViolation(f"医生不具备互联网诊疗资格：{view.ineligible_reason}", code="doctor-not-eligible")
    if active_work_session(session, doctor.id, utcnow()) is None:
        raise RuleViolation("实名再认证已过期，请重新认证后再开方 / re-authenticate before prescribing (IDT-05)",
                            code="reauth-required")
    if not has_consent(session, consultation.patient_id):
        raise RuleViolation("患者已撤回健康数据处理同意 / the patient withdrew consent (DP-02)",
                            code="consent-required")
    result = view_of(session, consultation)
    if result.under6 and not result.under6_confirmed:
        raise RuleViolation("6岁以下儿童开方前须确认监护人和医生均在场 / for a child under 6 both the guardian and "
                            "the doctor must confirm presence before prescribing (IDT-10)",
                            code="under6-confirmation-required")
    return result


def list_records(session: Session, *, patient_id: int) -> list[RecordView]:
    records = session.execute(select(MedicalRecord).where(MedicalRecord.patient_id == patient_id,
                                                          MedicalRecord.sealed_at.is_(None))).scalars().all()
    finished = session.execute(select(Consultation, Department).join(
        Department, Department.id == Consultation.department_id).where(
        Consultation.patient_id == patient_id, Consultation.sealed_at.is_(None),
        Consultation.status.in_(("completed", "terminated")))).all()
    items = [earlier_record_view(r) for r in records]
    items += [consultation_record_view(c, d, HOSPITAL_NAME) for c, d in finished]
    return sorted(items, key=lambda item: (item.date, item.kind == "consultation", item.id), reverse=True)



from healthhub.hospital import retention  # noqa: E402, F401  (registers the no-delete guard with every Session)
