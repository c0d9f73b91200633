"""IDT-10 confirmations, the treating doctor, IDT-11/DP-03: a patient's deletion request seals their
consultations and chat too (or is refused while one is open), no hard delete, audited admin reads."""
from datetime import date

import pytest
from sqlalchemy import delete, select

from healthhub.core.audit import AuditEntry
from healthhub.core.errors import Forbidden, RuleViolation
from healthhub.core.public_ids import decode
from healthhub.core.retention import RetentionViolation
from healthhub.hospital import service
from healthhub.hospital.centres import department_by_name, ensure_centres
from healthhub.hospital.models import ChatMessage
from healthhub.patients import service as patients
from tests.factories import pid
from tests.hospital.builders import make_doctor, online, request
from tests.patients.builders import make_patient

API = "/api/v1/hospital"


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
    view = service.assert_can_prescribe(db, consultation_id=decode(cid), doctor_user_id=doctor_user.id)
    assert view.status == "in_progress"
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
    assert patients.get_patient(db, patient_id=patient.id).sealed
    # the data is still there, under seal (IDT-11)
    assert [r.id for r in patients.sealed_patient(db, patient_id=patient.id).records if r.sealed] == [record.id]
    assert db.execute(select(ChatMessage).where(ChatMessage.consultation_id == cid)).scalars().one().sealed_at


def test_dp03_a_deletion_request_waits_for_the_open_consultation(db, client, make_user):
    ensure_centres(db)
    account, ph = make_user("patient")
    patient, record = make_patient(db, account.id)
    cid = request(client, ph, patient, record, department_by_name(db, "呼吸内科").id).json()["id"]
    refused = client.post(f"{API}/patients/{pid(patient.id)}/seal", json={"reason": "不再使用"}, headers=ph)
    assert refused.status_code == 409 and refused.json()["code"] == "consultation-open"
    # nothing was sealed: the patient, the consent and the consultation are as they were
    [listed] = client.get(f"{API}/patients", headers=ph).json()
    assert listed["id"] == pid(patient.id) and listed["consent_given"] and not listed["sealed"]
    assert client.get(f"{API}/consultations/{cid}", headers=ph).json()["status"] == "waiting"


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
    _, _, _, _, cid = finished_consultation(db, client, make_user)
    hospital_methods = {method.upper() for path, operations in app.openapi()["paths"].items()
                        if "/hospital" in path for method in operations}
    assert "DELETE" not in hospital_methods and {"GET", "POST", "PUT"} <= hospital_methods
    message = db.execute(select(ChatMessage).where(ChatMessage.consultation_id == cid)).scalars().one()
    with pytest.raises(RetentionViolation):
        db.delete(message)
        db.flush()
    db.rollback()
    with pytest.raises(RetentionViolation):
        db.execute(delete(ChatMessage).where(ChatMessage.consultation_id == cid))
    assert db.get(ChatMessage, message.id) is not None


def test_chat_and_records_carry_their_retention_dates(db, client, make_user):
    _, _, _, record, cid = finished_consultation(db, client, make_user)
    assert record.retain_until == date(2041, 10, 1)  # visit 2026-10-01 + 15 years
    message = db.execute(select(ChatMessage).where(ChatMessage.consultation_id == cid)).scalars().one()
    assert (message.retain_until - message.created_at.date()).days >= 3 * 365
