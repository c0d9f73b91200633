"""A doctor treating a patient in an in-progress consultation, built through the hospital's services.

The hospital has no service yet for creating centres or consultations outside its patient flow, so
those two rows are written with its models (reported as a contract gap)."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from healthhub.core.db import utcnow
from healthhub.hospital.models import Centre, Consultation, Department
from healthhub.hospital.service_doctors import DoctorProfile, create_doctor, go_online
from healthhub.hospital.service_patients import HealthFacts, NewPatient, add_patient, grant_consent
from healthhub.identity.service import Principal, principal_of
from tests.factories import TEST_PASSWORD, create_user_with_token, next_id, valid_id_number


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


def make_scenario(db: Session, *, birth: date = date(1970, 3, 8), confirm_under6: bool = False) -> Scenario:
    n = next_id()
    centre = Centre(code=f"C{n}", name=f"心血管中心{n}", sort_order=n)
    db.add(centre)
    db.flush()
    department = Department(centre_id=centre.id, name=f"心内科{n}")
    db.add(department)
    db.flush()
    doctor_user, doctor_headers = create_user_with_token(db, role="doctor")
    doctor = create_doctor(db, profile=DoctorProfile(
        user_id=doctor_user.id, name="李明华", title="主治医师", licence_no=f"1101100{n:08d}"[:15],
        institution="北京协和医院", affiliation="own", practice_started_on=date(2012, 7, 1),
        institution_consent=True, multi_site_filed=False, centre_id=centre.id, department_ids=[department.id]))
    go_online(db, doctor_user_id=doctor_user.id, username=doctor_user.username, method="password", secret=TEST_PASSWORD)
    patient_user, patient_headers = create_user_with_token(db, role="patient")
    holder = add_patient(db, account_user_id=patient_user.id, data=NewPatient(
        relationship="本人", name="王建国", id_number=valid_id_number(birth=date(1970, 3, 8)),
        health=HealthFacts(weight_kg=72.5, conditions=[{"code": "I10", "name": "原发性高血压"}])))
    patient = holder
    if birth != date(1970, 3, 8):
        patient = add_patient(db, account_user_id=patient_user.id, data=NewPatient(
            relationship="子女", name="王小宝", id_number=valid_id_number(birth=birth), guardian_relationship="父亲"))
    grant_consent(db, account_user_id=patient_user.id, patient_id=patient.id)
    now = utcnow()
    consultation = Consultation(
        patient_id=patient.id, account_user_id=patient_user.id, department_id=department.id, doctor_id=doctor.id,
        status="in_progress", complaint="高血压复诊，需续开降压药", queued_at=now - timedelta(minutes=10),
        accepted_at=now - timedelta(minutes=5), diagnoses=[{"code": "I10", "name": "原发性高血压"}],
        guardian_present_at=now if confirm_under6 else None, doctor_present_at=now if confirm_under6 else None)
    db.add(consultation)
    db.commit()  # releases the test's savepoint, so a refused request (rolled back) keeps this data
    return Scenario(doctor_user, principal_of(doctor_user), doctor_headers, doctor.id, patient_user,
                    principal_of(patient_user), patient_headers, patient.id, consultation.id)


def body(consultation_id: int, *items: dict, **fields) -> dict:
    default_item = {"name": "氨氯地平", "dose": "5", "unit": "mg", "frequency": "qd", "route": "口服", "days": 7,
                    "quantity": 1}
    return {"consultation_id": consultation_id, "diagnoses": [{"code": "I10", "name": "原发性高血压"}],
            "items": list(items) or [default_item], **fields}
