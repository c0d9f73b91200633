"""IDT-06 real names and guardians, DP-02 consent, IDT-02 earlier records, DP-03 sealing of the registry's own
rows, the no-delete guard on them, and the family-doctor contract cover (IDT-01)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, text

from healthhub.core.db import utcnow
from healthhub.core.public_ids import decode
from healthhub.core.retention import RetentionViolation
from healthhub.patients import service as patients
from healthhub.patients.models import MedicalRecord, Patient
from tests.factories import pid, valid_id_number
from tests.patients.builders import make_patient

API = "/api/v1/hospital"


def test_idt06_valid_id_derives_birth_and_sex_and_is_stored_encrypted(db, client, make_user):
    _, headers = make_user("patient")
    number = valid_id_number(birth=date(1979, 6, 2), female=True)
    response = client.post(f"{API}/patients", headers=headers, json={
        "relationship": "本人", "name": "李秀英", "id_number": number,
        "health": {"weight_kg": 58.5, "allergies": ["青霉素"], "conditions": [{"code": "i10", "name": "高血压"}]}})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["sex"], body["birth_date"], body["conditions"]) == ("F", "1979-06-02", ["I10"])
    assert body["id_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    raw = db.execute(text("SELECT id_number FROM hospital_patients WHERE id = :i"),
                     {"i": decode(body["id"])}).scalar_one()
    assert number not in raw and raw.startswith("sm4gcm1:")


def test_idt06_bad_checksum_is_refused(db, client, make_user):
    _, headers = make_user("patient")
    number = valid_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = client.post(f"{API}/patients", headers=headers,
                           json={"relationship": "本人", "name": "王伟", "id_number": wrong})
    assert response.status_code == 422 and response.json()["code"] == "bad-id-number"
    assert "校验位" in response.json()["detail"]


def test_minor_needs_the_holder_profile_and_a_guardian_relationship(db, client, make_user):
    account, headers = make_user("patient")
    child = {"relationship": "子女", "name": "张小宝", "id_number": valid_id_number(birth=date(2023, 5, 1))}
    assert client.post(f"{API}/patients", headers=headers, json=child).json()["code"] == "guardian-profile-required"
    make_patient(db, account.id, record=False)
    assert client.post(f"{API}/patients", headers=headers, json=child).json()["code"] == "guardian-required"
    added = client.post(f"{API}/patients", headers=headers, json={**child, "guardian_relationship": "母亲"})
    assert added.status_code == 201
    body = added.json()
    assert body["guardian"]["relationship"] == "母亲" and body["guardian"]["name"] == "张三丰"
    assert body["under6"] and 3 < body["age_years"] < 4
    consent = client.post(f"{API}/patients/{body['id']}/consent", headers=headers).json()
    assert consent["granted_as"] == "guardian"


def test_idt02_an_earlier_record_is_uploaded_with_its_image_and_retention_date(db, client, make_user):
    account, headers = make_user("patient")
    patient, _ = make_patient(db, account.id, record=False)
    png = "data:image/png;base64,iVBORw0KGgoAAAAA"
    added = client.post(f"{API}/patients/{pid(patient.id)}/records", headers=headers, json={
        "record_type": "门诊病历", "institution": "北京朝阳医院", "visit_date": "2026-10-01",
        "diagnosis_code": "i10", "diagnosis_text": "原发性高血压", "image_base64": png})
    assert added.status_code == 201, added.text
    assert added.json()["diagnosis_code"] == "I10" and added.json()["retain_until"] == "2041-10-01"
    image = client.get(f"{API}/records/{added.json()['id']}/image", headers=headers)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    [record] = patients.list_records(db, patient_id=patient.id)
    assert pid(record.id) == added.json()["id"] and record.has_image and not record.sealed
    _, stranger = make_user("patient")
    db.commit()
    assert client.get(f"{API}/records/{added.json()['id']}/image", headers=stranger).status_code == 404


def test_dp02_consent_is_withdrawn_and_given_again(db, client, make_user):
    account, headers = make_user("patient")
    patient, _ = make_patient(db, account.id, record=False)
    assert patients.has_consent(db, patient_id=patient.id)
    withdrawn = client.post(f"{API}/patients/{pid(patient.id)}/consent/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["consent_given"] is False
    assert not patients.get_patient(db, patient_id=patient.id).consent_given
    again = client.post(f"{API}/patients/{pid(patient.id)}/consent/withdraw", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "no-consent"
    granted = client.post(f"{API}/patients/{pid(patient.id)}/consent", headers=headers)
    assert granted.json()["granted_as"] == "self" and patients.has_consent(db, patient_id=patient.id)


def test_dp03_the_holder_is_sealed_after_the_family_members(db, client, make_user):
    account, headers = make_user("patient")
    holder, record = make_patient(db, account.id)
    child, _ = make_patient(db, account.id, birth=date(2020, 5, 1), relationship="子女", guardian="母亲",
                            record=False)
    refused = client.post(f"{API}/patients/{pid(holder.id)}/seal", json={"reason": "注销"}, headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "family-members-remain"
    assert client.post(f"{API}/patients/{pid(child.id)}/seal", json={}, headers=headers).status_code == 200
    sealed = client.post(f"{API}/patients/{pid(holder.id)}/seal", json={"reason": "注销"}, headers=headers)
    assert sealed.status_code == 200 and sealed.json()["sealed"]
    dossier = patients.sealed_patient(db, patient_id=holder.id)
    assert dossier.sealed_reason == "注销" and [r.id for r in dossier.records] == [record.id]
    assert dossier.records[0].sealed and not patients.has_consent(db, patient_id=holder.id)
    assert patients.list_patients_of_account(db, account_user_id=account.id) == []


def test_idt11_patients_and_their_records_are_never_deleted(db, make_user):
    account, _ = make_user("patient")
    patient, record = make_patient(db, account.id)
    with pytest.raises(RetentionViolation):
        db.delete(db.get(MedicalRecord, record.id))
        db.flush()
    db.rollback()
    with pytest.raises(RetentionViolation):
        db.execute(delete(Patient).where(Patient.id == patient.id))
    assert patients.find_record(db, record_id=record.id) is not None


def test_idt01_the_family_doctor_contract_cover_runs_until_its_end(db, make_user):
    account, _ = make_user("patient")
    patient, _ = make_patient(db, account.id, record=False)
    now = utcnow()
    assert not patients.has_family_contract(db, patient_id=patient.id, now=now)
    patients.record_family_contract(db, patient_id=patient.id, until=now + timedelta(days=30))
    assert patients.has_family_contract(db, patient_id=patient.id, now=now)
    assert not patients.has_family_contract(db, patient_id=patient.id, now=now + timedelta(days=30))
    patients.record_family_contract(db, patient_id=patient.id, until=None)
    assert not patients.has_family_contract(db, patient_id=patient.id, now=now)
