"""The internet hospital's public service API: the ONLY entry point for other domains
(prescriptions, family doctor, FHIR). Names and semantics are stable; every function takes the
caller's Session, flushes at most, never commits, and returns frozen dataclasses from `views`.
Patients, their consent and earlier records are the patients domain's (`healthhub.patients.service`).

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

Events: `hospital/events.py` (ConsultationRequested, ConsultationClosed).
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.dates import local_today
from healthhub.core.db import utcnow
from healthhub.core.errors import Forbidden, NotFound, RuleViolation
from healthhub.hospital.errors import ErrorCode
from healthhub.hospital.models import Centre, Consultation, Department, Doctor, DoctorDepartment
from healthhub.hospital.service_doctors import active_work_session, doctor_row_by_user
from healthhub.hospital.views import (ConsultationView, Diagnosis, DoctorView, RecordView, consultation_record_view,
                                      consultation_view, doctor_view, earlier_record_view)
from healthhub.patients import service as patients

HOSPITAL_NAME = "健康枢纽互联网医院"

__all__ = ["ConsultationView", "Diagnosis", "DoctorView", "RecordView", "HOSPITAL_NAME", "assert_can_prescribe",
           "get_consultation", "get_doctor", "get_doctor_by_user", "list_consultations_of_patient", "list_doctors",
           "list_records"]


def _doctor_view(session: Session, doctor: Doctor) -> DoctorView:
    centre = session.get(Centre, doctor.centre_id)
    departments = session.execute(
        select(Department).join(DoctorDepartment, DoctorDepartment.department_id == Department.id)
        .where(DoctorDepartment.doctor_id == doctor.id).order_by(Department.id)).scalars().all()
    online = doctor.online and active_work_session(session, doctor_id=doctor.id, now=utcnow()) is not None
    return doctor_view(doctor, centre, list(departments), local_today(), online=online)


def get_doctor(session: Session, *, doctor_id: int) -> DoctorView:
    doctor = session.get(Doctor, doctor_id)
    if doctor is None:
        raise NotFound("医生不存在 / doctor not found", code=ErrorCode.DOCTOR_NOT_FOUND)
    return _doctor_view(session, doctor)


def get_doctor_by_user(session: Session, *, user_id: int) -> DoctorView:
    return _doctor_view(session, doctor_row_by_user(session, user_id=user_id))


def list_doctors(session: Session, *, limit: int = 100, offset: int = 0) -> list[DoctorView]:
    doctors = session.execute(select(Doctor).order_by(Doctor.id).limit(limit).offset(offset)).scalars().all()
    return [_doctor_view(session, d) for d in doctors]


def consultation_row(session: Session, *, consultation_id: int) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or consultation.sealed_at is not None:
        raise NotFound("问诊不存在 / consultation not found", code=ErrorCode.CONSULTATION_NOT_FOUND)
    return consultation


def view_of(session: Session, *, consultation: Consultation) -> ConsultationView:
    department = session.get(Department, consultation.department_id)
    patient = patients.get_patient(session, patient_id=consultation.patient_id)
    return consultation_view(consultation, department, patient)


def get_consultation(session: Session, *, consultation_id: int) -> ConsultationView:
    return view_of(session, consultation=consultation_row(session, consultation_id=consultation_id))


def list_consultations_of_patient(session: Session, *, patient_id: int) -> list[ConsultationView]:
    rows = session.execute(select(Consultation).where(Consultation.patient_id == patient_id,
                                                      Consultation.sealed_at.is_(None))
                           .order_by(Consultation.queued_at.desc(), Consultation.id.desc())).scalars().all()
    return [view_of(session, consultation=c) for c in rows]


def assert_can_prescribe(session: Session, *, consultation_id: int, doctor_user_id: int) -> ConsultationView:
    consultation = consultation_row(session, consultation_id=consultation_id)
    doctor = doctor_row_by_user(session, user_id=doctor_user_id)
    if consultation.doctor_id != doctor.id:
        raise Forbidden("您不是该问诊的接诊医生，不能开具处方 / only the treating doctor may prescribe (IDT-07)",
                        code=ErrorCode.NOT_TREATING_DOCTOR)
    if consultation.status != "in_progress":
        raise RuleViolation("问诊不在进行中，不能开具处方 / the consultation is not in progress",
                            code=ErrorCode.CONSULTATION_NOT_IN_PROGRESS)
    view = _doctor_view(session, doctor)
    if not view.eligible_online:
        raise RuleViolation(f"医生不具备互联网诊疗资格：{view.ineligible_reason}", code=ErrorCode.DOCTOR_NOT_ELIGIBLE)
    if active_work_session(session, doctor_id=doctor.id, now=utcnow()) is None:
        raise RuleViolation("实名再认证已过期，请重新认证后再开方 / re-authenticate before prescribing (IDT-05)",
                            code=ErrorCode.REAUTH_REQUIRED)
    if not patients.has_consent(session, patient_id=consultation.patient_id):
        raise RuleViolation("患者已撤回健康数据处理同意 / the patient withdrew consent (DP-02)",
                            code=ErrorCode.CONSENT_REQUIRED)
    result = view_of(session, consultation=consultation)
    if result.under6 and not result.under6_confirmed:
        raise RuleViolation("6岁以下儿童开方前须确认监护人和医生均在场 / for a child under 6 both the guardian and "
                            "the doctor must confirm presence before prescribing (IDT-10)",
                            code=ErrorCode.UNDER6_CONFIRMATION_REQUIRED)
    return result


def list_records(session: Session, *, patient_id: int) -> list[RecordView]:
    records = patients.list_records(session, patient_id=patient_id)
    finished = session.execute(select(Consultation, Department).join(
        Department, Department.id == Consultation.department_id).where(
        Consultation.patient_id == patient_id, Consultation.sealed_at.is_(None),
        Consultation.status.in_(("completed", "terminated")))).all()
    items = [earlier_record_view(r) for r in records]
    items += [consultation_record_view(c, d, HOSPITAL_NAME) for c, d in finished]
    return sorted(items, key=lambda item: (item.date, item.kind == "consultation", item.id), reverse=True)

