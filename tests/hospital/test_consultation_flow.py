"""Consultations end to end through the API, on SQLite and PostgreSQL."""
from datetime import date, timedelta

from healthhub.core.db import utcnow
from healthhub.core.public_ids import decode
from healthhub.hospital import service
from healthhub.hospital import service_consultations as consultations
from healthhub.hospital.centres import department_by_name
from healthhub.hospital.models import ConsultationEvent
from tests.factories import TEST_PASSWORD, pid
from tests.hospital.builders import PNG, b64, make_doctor, online, request
from tests.patients.builders import make_patient

API = "/api/v1/hospital"


def setup_flow(db, client, make_user):
    doctor_user, doctor_headers, doctor = make_doctor(db, make_user)
    account, patient_headers = make_user("patient")
    patient, record = make_patient(db, account.id)
    dept = department_by_name(db, "呼吸内科")
    return doctor_user, doctor_headers, doctor, account, patient_headers, patient, record, dept


def test_full_consultation_with_chat_diagnosis_and_end(db, client, make_user):
    doctor_user, dh, doctor, account, ph, patient, record, dept = setup_flow(db, client, make_user)
    created = request(client, ph, patient, record, dept.id)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert created.json()["status"] == "waiting" and created.json()["triage_suggestion"][0]["department"] == "呼吸内科"
    online(client, dh)
    queue = client.get(f"{API}/doctor/queue", headers=dh).json()
    assert [c["id"] for c in queue] == [cid] and queue[0]["record"]["icd10"] == "J06.9"
    assert client.post(f"{API}/consultations/{cid}/accept", headers=dh).json()["status"] == "in_progress"
    assert client.post(f"{API}/consultations/{cid}/messages", json={"text": "医生您好"}, headers=ph).status_code == 201
    reply = client.post(f"{API}/consultations/{cid}/messages", json={"text": "您好，咳嗽几天了？"}, headers=dh)
    assert reply.status_code == 201
    seen = client.get(f"{API}/consultations/{cid}/messages", headers=ph).json()
    assert [(m["sender_role"], m["text"]) for m in seen] == [("patient", "医生您好"), ("doctor", "您好，咳嗽几天了？")]
    assert client.get(f"{API}/consultations/{cid}/messages?after={seen[0]['id']}", headers=dh).json()[0]["sender_role"] == "doctor"
    assert client.post(f"{API}/consultations/{cid}/end", headers=dh).json()["code"] == "diagnosis-required"
    diagnosed = client.post(f"{API}/consultations/{cid}/diagnosis", headers=dh, json={
        "diagnoses": [{"code": "j06.9", "name": "急性上呼吸道感染"}], "advice": "多饮水，按时服药"})
    assert diagnosed.json()["diagnoses"] == [{"code": "J06.9", "name": "急性上呼吸道感染"}]
    ended = client.post(f"{API}/consultations/{cid}/end", headers=dh).json()
    assert ended["status"] == "completed" and ended["ended_at"] and ended["first_reply_at"]
    assert client.post(f"{API}/consultations/{cid}/messages", json={"text": "谢谢"}, headers=ph).status_code == 409
    kinds = [r.kind for r in service.list_records(db, patient_id=patient.id)]
    assert kinds == ["consultation", "earlier_diagnosis"]


def test_idt01_consultation_without_earlier_diagnosis_is_refused(db, client, make_user):
    _, _, _, account, ph, patient, _, dept = setup_flow(db, client, make_user)
    response = request(client, ph, patient, None, dept.id)
    assert response.status_code == 422
    assert response.json()["code"] == "follow-up-required" and "仅限复诊" in response.json()["detail"]


def test_dp02_no_consultation_without_consent_and_after_withdrawal(db, client, make_user):
    _, _, _, account, ph, patient, record, dept = setup_flow(db, client, make_user)
    assert client.post(f"{API}/patients/{pid(patient.id)}/consent/withdraw", headers=ph).status_code == 200
    refused = request(client, ph, patient, record, dept.id)
    assert refused.status_code == 422 and refused.json()["code"] == "consent-required"
    granted = client.post(f"{API}/patients/{pid(patient.id)}/consent", headers=ph).json()
    assert granted["granted_as"] == "self" and granted["granted_at"]
    assert request(client, ph, patient, record, dept.id).status_code == 201


def test_idt05_accepting_needs_re_authentication(db, client, make_user):
    _, dh, _, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    cid = request(client, ph, patient, record, dept.id).json()["id"]
    refused = client.post(f"{API}/consultations/{cid}/accept", headers=dh)
    assert refused.status_code == 422 and refused.json()["code"] == "doctor-offline"
    wrong = client.post(f"{API}/doctor/online", json={"method": "password", "secret": "Wrong12345"}, headers=dh)
    assert wrong.status_code == 403 and wrong.json()["code"] == "reauth-failed"
    session = online(client, dh)
    assert session["work_session_id"]
    assert client.post(f"{API}/consultations/{cid}/accept", headers=dh).status_code == 200


def test_idt05_pin_re_authentication_and_expiry(db, client, make_user):
    _, dh, doctor, _, _, _, _, _ = setup_flow(db, client, make_user)
    assert client.post(f"{API}/doctor/pin", json={"password": TEST_PASSWORD, "pin": "123456"},
                       headers=dh).status_code == 200
    assert client.post(f"{API}/doctor/online", json={"method": "pin", "secret": "654321"},
                       headers=dh).status_code == 403
    assert client.post(f"{API}/doctor/online", json={"method": "pin", "secret": "123456"}, headers=dh).status_code == 200
    assert client.get(f"{API}/doctor/me", headers=dh).json()["work_session_expires_at"]


def test_idt04_ineligible_doctor_cannot_go_online(db, client, make_user):
    _, dh, doctor = make_doctor(db, make_user, started=date.today() - timedelta(days=365 * 2))
    response = client.post(f"{API}/doctor/online", json={"method": "password", "secret": TEST_PASSWORD}, headers=dh)
    assert response.status_code == 422 and response.json()["code"] == "doctor-not-eligible"
    view = service.get_doctor(db, doctor_id=doctor.id)
    assert not view.eligible_online and view.years_of_practice == 2 and "IDT-04" in view.ineligible_reason


def test_doctor_of_another_centre_cannot_accept(db, client, make_user):
    _, _, _, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    _, other_headers, _ = make_doctor(db, make_user, department="皮肤科")
    online(client, other_headers)
    cid = request(client, ph, patient, record, dept.id).json()["id"]
    response = client.post(f"{API}/consultations/{cid}/accept", headers=other_headers)
    assert response.status_code == 422 and response.json()["code"] == "wrong-centre"


def test_idt03_terminate_and_refer_offline(db, client, make_user):
    _, dh, _, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    cid = request(client, ph, patient, record, dept.id).json()["id"]
    online(client, dh)
    client.post(f"{API}/consultations/{cid}/accept", headers=dh)
    bad = client.post(f"{API}/consultations/{cid}/terminate", json={"reason": "busy"}, headers=dh)
    assert bad.status_code == 422 and bad.json()["code"] == "bad-termination-reason"
    done = client.post(f"{API}/consultations/{cid}/terminate", json={"reason": "condition_changed",
                                                                      "note": "胸痛加重，请急诊就诊"}, headers=dh)
    assert done.json()["status"] == "terminated" and done.json()["termination_reason"] == "condition_changed"


def test_chat_is_private_to_the_two_participants(db, client, make_user):
    _, dh, _, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    cid = request(client, ph, patient, record, dept.id).json()["id"]
    online(client, dh)
    client.post(f"{API}/consultations/{cid}/accept", headers=dh)
    _, stranger = make_user("patient")
    _, colleague, _ = make_doctor(db, make_user)
    for headers in (stranger, colleague):
        # Answered like a missing consultation, so that ids cannot be probed.
        assert client.get(f"{API}/consultations/{cid}/messages", headers=headers).status_code == 404
        assert client.post(f"{API}/consultations/{cid}/messages", json={"text": "hi"},
                           headers=headers).status_code == 404
        assert client.get(f"{API}/consultations/{cid}/stream", headers=headers).status_code == 404
        assert client.get(f"{API}/consultations/{cid}", headers=headers).status_code == 404
    assert client.get(f"{API}/consultations/{cid}/messages").status_code == 401


def test_chat_images_are_checked_and_served_only_to_participants(db, client, make_user):
    _, dh, _, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    cid = request(client, ph, patient, record, dept.id).json()["id"]
    sent = client.post(f"{API}/consultations/{cid}/messages", json={"image_base64": b64(PNG)}, headers=ph)
    assert sent.status_code == 201
    image = client.get(sent.json()["image_url"], headers=ph)
    assert image.headers["content-type"] == "image/png" and image.content == PNG
    gif = client.post(f"{API}/consultations/{cid}/messages", json={"image_base64": b64(b"GIF89a" + b"0" * 20)},
                      headers=ph)
    assert gif.status_code == 422 and gif.json()["code"] == "bad-image-type"
    huge = client.post(f"{API}/consultations/{cid}/messages",
                       json={"image_base64": b64(PNG + b"0" * (5 * 1024 * 1024))}, headers=ph)
    assert huge.status_code == 422 and huge.json()["code"] == "image-too-large"
    _, stranger = make_user("patient")
    db.commit()
    assert client.get(sent.json()["image_url"], headers=stranger).status_code == 404


def test_unanswered_consultation_is_reassigned_to_the_queue(db, client, make_user):
    _, dh, doctor, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    cid = decode(request(client, ph, patient, record, dept.id).json()["id"])
    online(client, dh)
    client.post(f"{API}/consultations/{pid(cid)}/accept", headers=dh)
    assert consultations.reassign_stale(db, now=utcnow() + timedelta(minutes=5)) == []
    assert consultations.reassign_stale(db, now=utcnow() + timedelta(minutes=16)) == [cid]
    view = service.get_consultation(db, consultation_id=cid)
    assert view.status == "waiting" and view.doctor_id is None
    assert [e.kind for e in consultations.events_of(db, consultation_id=cid)] == ["queued", "accepted", "reassigned"]
    assert db.get(ConsultationEvent, consultations.events_of(db, consultation_id=cid)[-1].id).detail["previous_doctor_id"] == doctor.id


def test_answered_consultation_is_not_reassigned(db, client, make_user):
    _, dh, _, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    cid = request(client, ph, patient, record, dept.id).json()["id"]
    online(client, dh)
    client.post(f"{API}/consultations/{cid}/accept", headers=dh)
    client.post(f"{API}/consultations/{cid}/messages", json={"text": "您好"}, headers=dh)
    assert consultations.reassign_stale(db, now=utcnow() + timedelta(hours=2)) == []


def test_metrics_for_operators_only(db, client, make_user):
    _, dh, _, _, ph, patient, record, dept = setup_flow(db, client, make_user)
    cid = request(client, ph, patient, record, dept.id).json()["id"]
    online(client, dh)
    client.post(f"{API}/consultations/{cid}/accept", headers=dh)
    client.post(f"{API}/consultations/{cid}/messages", json={"text": "您好"}, headers=dh)
    _, operator = make_user("operator")
    stats = client.get(f"{API}/stats", headers=operator).json()
    assert stats["total"] >= 1 and stats["median_first_reply_s"] is not None and stats["per_day"]
    assert client.get(f"{API}/stats", headers=ph).status_code == 403
