"""A doctor treating a patient in an in-progress follow-up consultation, built through the hospital's
own services (centres, doctor profile, re-authentication, patient, consent, record, request, accept)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from healthhub.hospital.service_consultations import (ConsultationRequest, accept, confirm_doctor_present,
                                                      confirm_guardian_present, diagnose, request_consultation)
from healthhub.hospital.service_doctors import DoctorProfile, create_doctor, go_online
from healthhub.identity.service import Principal, principal_of
from healthhub.patients.service import HealthFacts, NewPatient, NewRecord, add_patient, add_record, grant_consent
from tests.factories import TEST_PASSWORD, create_user_with_token, next_id, pid, valid_id_number
from tests.hospital.builders import first_department

HOLDER_BIRTH = date(1970, 3, 8)


@dataclass
class Scenario:
    doctor_user: object
    doctor: Principal
    doctor_headers: dict
    doctor_id: int
    patient_user: object
    patient_principal: Principal
    patient_headers: dict
    patient_id: int
    consultation_id: int


def make_scenario(db: Session, *, birth: date = HOLDER_BIRTH, confirm_under6: bool = False) -> Scenario:
    department = first_department(db)
    n = next_id()
    doctor_user, doctor_headers = create_user_with_token(db, role="doctor")
    doctor = create_doctor(db, profile=DoctorProfile(
        user_id=doctor_user.id, name="李明华", title="主治医师", licence_no=f"11011{n:010d}",
        institution="北京协和医院", affiliation="own", practice_started_on=date(2012, 7, 1),
        institution_consent=True, multi_site_filed=False, centre_id=department.centre_id,
        department_ids=[department.id]))
    go_online(db, doctor_user_id=doctor_user.id, username=doctor_user.username, method="password", secret=TEST_PASSWORD)
    patient_user, patient_headers = create_user_with_token(db, role="patient")
    patient = add_patient(db, account_user_id=patient_user.id, data=NewPatient(
        relationship="本人", name="王建国", id_number=valid_id_number(birth=HOLDER_BIRTH),
        health=HealthFacts(weight_kg=72.5, conditions=[{"code": "I10", "name": "原发性高血压"}])))
    if birth != HOLDER_BIRTH:
        patient = add_patient(db, account_user_id=patient_user.id, data=NewPatient(
            relationship="子女", name="王小宝", id_number=valid_id_number(birth=birth), guardian_relationship="父亲"))
    grant_consent(db, account_user_id=patient_user.id, patient_id=patient.id)
    record = add_record(db, account_user_id=patient_user.id, patient_id=patient.id, data=NewRecord(
        record_type="门诊病历", institution="北京协和医院", visit_date=date(2026, 9, 1), diagnosis_code="I10",
        diagnosis_text="原发性高血压"))
    consultation = request_consultation(db, account_user_id=patient_user.id, data=ConsultationRequest(
        patient_id=patient.id, department_id=department.id, complaint="高血压复诊，需续开降压药", record_id=record.id))
    accept(db, doctor_user_id=doctor_user.id, consultation_id=consultation.id)
    diagnose(db, doctor_user_id=doctor_user.id, consultation_id=consultation.id,
             diagnoses=[{"code": "I10", "name": "原发性高血压"}], advice="继续低盐饮食，监测血压")
    if confirm_under6:
        confirm_guardian_present(db, account_user_id=patient_user.id, consultation_id=consultation.id)
        confirm_doctor_present(db, doctor_user_id=doctor_user.id, consultation_id=consultation.id)
    db.commit()  # releases the test's savepoint, so a refused request (rolled back) keeps this data
    return Scenario(doctor_user, principal_of(doctor_user), doctor_headers, doctor.id, patient_user,
                    principal_of(patient_user), patient_headers, patient.id, consultation.id)


def body(consultation_id: int, *items: dict, **fields) -> dict:
    default_item = {"name": "氨氯地平", "dose": "5", "unit": "mg", "frequency": "qd", "route": "口服", "days": 7,
                    "quantity": 1}
    return {"consultation_id": pid(consultation_id), "diagnoses": [{"code": "I10", "name": "原发性高血压"}],
            "items": list(items) or [default_item], **fields}
