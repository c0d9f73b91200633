"""IDT-06 real names, guardians, IDT-10 confirmations, IDT-11/DP-03 sealing and no hard delete."""
from datetime import date

import pytest
from sqlalchemy import delete, select, text

from healthhub.core.audit import AuditEntry
from healthhub.core.errors import Forbidden, RuleViolation
from healthhub.core.public_ids import decode
from healthhub.hospital import service
from healthhub.hospital.centres import department_by_name
from healthhub.hospital.models import ChatMessage, MedicalRecord
from healthhub.hospital.retention import RetentionViolation
from tests.factories import pid, valid_id_number
from tests.hospital.builders import make_doctor, make_patient, online, request

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
    raw = db.execute(text("SELECT id_number FROM hospital_patients WHERE id = :i"), {"i": decode(body["id"])}).scalar_one()
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


def test_idt10_prescribing_for_under6_needs_guardian_and_doctor_confirmation(db, client, make_user):
    doctor_user, dh, _ = make_doctor(db, make_user, department="小儿呼吸系统疾病")
    account, ph = make_user("patient")
    make_patient(db, account.id, record=False)
    child, record = make_patient(db, account.id, birth=date(2023, 5, 1), relationship="子女", guardian="父亲")
    cid = request(client, ph, child, record, department_by_name(db, "小儿呼吸系统疾病").id).json()["id"]
    online(client, dh)
    client.post(f"{API}/consultations/{cid}/accept", headers=dh)
    with pytest.raises(RuleViolation) as refused:
        service.assert_can_prescribe(db, consultation_id=decode(cid), doctor_user_id=doctor_user.id)
    assert refused.value.code == "under6-confirmation-required"
    client.post(f"{API}/consultations/{cid}/guardian-present", headers=ph)
    client.post(f"{API}/consultations/{cid}/doctor-present", headers=dh)
    view = service.assert_can_prescribe(db, consultation_id=decode(cid), doctor_user_id=doctor_user.id)
    assert view.under6 and view.under6_confirmed


def test_only_the_treating_doctor_may_prescribe(db, client, make_user):
    doctor_user, dh, _ = make_doctor(db, make_user)
    other_user, _, _ = make_doctor(db, make_user)
    account, ph = make_user("patient")
    patient, record = make_patient(db, account.id)
    cid = request(client, ph, patient, record, department_by_name(db, "呼吸内科").id).json()["id"]
    with pytest.raises(Forbidden):
        service.assert_can_prescribe(db, consultation_id=decode(cid), doctor_user_id=doctor_user.id)  # not accepted yet
    online(client, dh)
    client.post(f"{API}/consultations/{cid}/accept", headers=dh)
    assert service.assert_can_prescribe(db, consultation_id=decode(cid), doctor_user_id=doctor_user.id).status == "in_progress"
    with pytest.raises(Forbidden):
        service.assert_can_prescribe(db, consultation_id=decode(cid), doctor_user_id=other_user.id)


def finished_consultation(db, client, make_user):
    doctor_user, dh, _ = make_doctor(db, make_user)
    account, ph = make_user("patient")
    patient, record = make_patient(db, account.id)
    cid = decode(request(client, ph, patient, record, department_by_name(db, "呼吸内科").id).json()["id"])
    online(client, dh)
    client.post(f"{API}/consultations/{pid(cid)}/accept", headers=dh)
    client.post(f"{API}/consultations/{pid(cid)}/messages", json={"text": "请按时服药"}, headers=dh)
    client.post(f"{API}/consultations/{pid(cid)}/diagnosis", json={"diagnoses": [{"code": "J06.9", "name": "上感"}]},
                headers=dh)
    client.post(f"{API}/consultations/{pid(cid)}/end", headers=dh)
    return account, ph, patient, record, cid


def test_dp03_deletion_request_seals_instead_of_deleting(db, client, make_user):
    account, ph, patient, record, cid = finished_consultation(db, client, make_user)
    sealed = client.post(f"{API}/patients/{pid(patient.id)}/seal", json={"reason": "不再使用"}, headers=ph)
    assert sealed.status_code == 200 and sealed.json()["sealed"]
    assert client.get(f"{API}/patients", headers=ph).json() == []
    assert client.get(f"{API}/patients/{pid(patient.id)}/records", headers=ph).status_code == 404
    assert client.get(f"{API}/consultations/{pid(cid)}", headers=ph).status_code == 404
    assert service.list_records(db, patient_id=patient.id) == []
    assert service.get_patient(db, patient_id=patient.id).sealed
    # the data is still there, under seal (IDT-11)
    assert db.get(MedicalRecord, record.id).sealed_at is not None
    assert db.execute(select(ChatMessage).where(ChatMessage.consultation_id == cid)).scalars().one().sealed_at


def test_sealed_data_is_readable_only_by_an_admin_with_a_reason(db, client, make_user):
    account, ph, patient, _, cid = finished_consultation(db, client, make_user)
    client.post(f"{API}/patients/{pid(patient.id)}/seal", json={"reason": "注销"}, headers=ph)
    _, admin = make_user("admin")
    _, operator = make_user("operator")
    db.commit()
    url = f"{API}/admin/sealed/{pid(patient.id)}/read"
    assert client.post(url, json={"reason": "医疗纠纷调查取证"}, headers=operator).status_code == 403
    assert client.post(url, json={"reason": "看看"}, headers=admin).json()["code"] == "reason-required"
    dossier = client.post(url, json={"reason": "医疗纠纷调查取证"}, headers=admin).json()
    assert dossier["records"][0]["icd10"] == "J06.9" and dossier["message_count"] == 1
    logged = db.execute(select(AuditEntry).where(AuditEntry.action == "hospital.sealed.read")).scalars().all()
    assert [e.detail["reason"] for e in logged] == ["医疗纠纷调查取证"]


def test_idt11_there_is_no_delete_path(db, client, make_user, app):
    _, _, _, record, cid = finished_consultation(db, client, make_user)
    hospital_methods = {method.upper() for path, operations in app.openapi()["paths"].items()
                        if "/hospital" in path for method in operations}
    assert "DELETE" not in hospital_methods and {"GET", "POST", "PUT"} <= hospital_methods
    with pytest.raises(RetentionViolation):
        db.delete(db.get(MedicalRecord, record.id))
        db.flush()
    db.rollback()
    with pytest.raises(RetentionViolation):
        db.execute(delete(ChatMessage).where(ChatMessage.consultation_id == cid))
    assert db.get(MedicalRecord, record.id) is not None


def test_chat_and_records_carry_their_retention_dates(db, client, make_user):
    _, _, _, record, cid = finished_consultation(db, client, make_user)
    row = db.get(MedicalRecord, record.id)
    assert row.retain_until == date(2041, 10, 1)  # visit 2026-10-01 + 15 years
    message = db.execute(select(ChatMessage).where(ChatMessage.consultation_id == cid)).scalars().one()
    assert (message.retain_until - message.created_at.date()).days >= 3 * 365
