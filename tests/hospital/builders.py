"""Hospital test data through the real services."""
import base64
from datetime import date, timedelta

from sqlalchemy import select, update

from healthhub.core.db import utcnow
from healthhub.hospital import service_doctors
from healthhub.hospital.centres import department_by_name, ensure_centres
from healthhub.hospital.models import Centre, Department, WorkSession
from tests.factories import TEST_PASSWORD, next_id, pid

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


def first_department(db) -> Department:
    """Any department of the real centres (created when missing)."""
    ensure_centres(db)
    return db.execute(select(Department).order_by(Department.id).limit(1)).scalar_one()


def expire_work_sessions(db, doctor_id):
    """The doctor's IDT-05 re-authentication ran out a minute ago."""
    db.execute(update(WorkSession).where(WorkSession.doctor_id == doctor_id)
               .values(expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    db.expire_all()


def online(client, headers):
    response = client.post("/api/v1/hospital/doctor/online", json={"method": "password", "secret": TEST_PASSWORD},
                           headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def request(client, headers, patient, record, department_id, complaint="咳嗽一周，复诊开药"):
    return client.post("/api/v1/hospital/consultations", headers=headers, json={
        "patient_id": pid(patient.id), "department_id": pid(department_id), "complaint": complaint,
        "record_id": pid(record.id) if record else None})
