"""Hospital test data through the real services."""
import base64
from datetime import date

from sqlalchemy import select

from healthhub.hospital import service_doctors, service_patients
from healthhub.hospital.centres import department_by_name, ensure_centres
from healthhub.hospital.models import Centre
from tests.factories import TEST_PASSWORD, next_id, pid, valid_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def make_doctor(db, make_user, *, department="呼吸内科", started=date(2010, 1, 1), affiliation="own",
                consent=True, multi_site=False):
    ensure_centres(db)
    user, headers = make_user("doctor")
    dept = department_by_name(db, department)
    centre = db.execute(select(Centre).where(Centre.id == dept.centre_id)).scalar_one()
    doctor = service_doctors.create_doctor(db, profile=service_doctors.DoctorProfile(
        user_id=user.id, name=f"测试医生{user.id}", title="主治医师", licence_no=f"{110100000000000 + next_id()}",
        institution="北京协和医院", affiliation=affiliation, practice_started_on=started,
        institution_consent=consent, multi_site_filed=multi_site, centre_id=centre.id, department_ids=[dept.id]))
    db.commit()  # an error response rolls the test session back to its last commit
    return user, headers, doctor


def online(client, headers):
    response = client.post("/api/v1/hospital/doctor/online", json={"method": "password", "secret": TEST_PASSWORD},
                           headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def make_patient(db, user_id, *, birth=date(1985, 3, 4), relationship="本人", guardian=None, consent=True,
                 record=True, female=False):
    patient = service_patients.add_patient(db, account_user_id=user_id, data=service_patients.NewPatient(
        relationship=relationship, name="张三丰", id_number=valid_id_number(birth=birth, female=female),
        guardian_relationship=guardian))
    if consent:
        service_patients.grant_consent(db, account_user_id=user_id, patient_id=patient.id)
    earlier = None
    if record:
        earlier = service_patients.add_record(db, account_user_id=user_id, patient_id=patient.id,
                                              data=service_patients.NewRecord(
                                                  record_type="门诊病历", institution="北京朝阳医院",
                                                  visit_date=date(2026, 10, 1), diagnosis_code="J06.9",
                                                  diagnosis_text="急性上呼吸道感染"))
    db.commit()
    return patient, earlier


def request(client, headers, patient, record, department_id, complaint="咳嗽一周，复诊开药"):
    return client.post("/api/v1/hospital/consultations", headers=headers, json={
        "patient_id": pid(patient.id), "department_id": pid(department_id), "complaint": complaint,
        "record_id": pid(record.id) if record else None})
