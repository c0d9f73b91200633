"""Re-assignment after a timeout (the periodic `reassign_stale` sweep): an accepted request the doctor
never answered goes back to the queue without that doctor; a request nobody accepted in time is
escalated to the whole specialty centre, first in line. Both tell the patient in the chat and are audited."""
from datetime import timedelta

from sqlalchemy import select

from healthhub.core.audit import AuditEntry
from healthhub.core.db import utcnow
from healthhub.core.public_ids import decode
from healthhub.hospital import service_consultations as consultations
from healthhub.hospital.centres import department_by_name
from healthhub.hospital.models import Consultation, ConsultationExclusion
from tests.factories import pid
from tests.hospital.builders import make_doctor, online, request
from tests.patients.builders import make_patient

API = "/api/v1/hospital"
LATE = timedelta(minutes=16)  # past the default 15-minute timeout


def waiting_request(db, client, make_user, department="全科"):
    account, headers = make_user("patient")
    patient, record = make_patient(db, account.id)
    created = request(client, headers, patient, record, department_by_name(db, department).id)
    assert created.status_code == 201, created.text
    return headers, decode(created.json()["id"])


def audit_actions(db, consultation_id):
    return [e.action for e in db.execute(select(AuditEntry).where(
        AuditEntry.entity_type == "consultation", AuditEntry.entity_id == str(consultation_id))
        .order_by(AuditEntry.seq)).scalars()]


def system_messages(client, headers, consultation_id):
    return [m["text"] for m in client.get(f"{API}/consultations/{pid(consultation_id)}/messages", headers=headers).json()
            if m["sender_role"] == "system"]


def queue_ids(client, headers):
    return [decode(c["id"]) for c in client.get(f"{API}/doctor/queue", headers=headers).json()]


def test_unanswered_request_returns_to_the_queue_without_that_doctor(db, client, make_user):
    _, first_headers, first = make_doctor(db, make_user, department="全科")
    _, second_headers, second = make_doctor(db, make_user, department="全科")
    patient_headers, cid = waiting_request(db, client, make_user)
    online(client, first_headers)
    online(client, second_headers)
    assert client.post(f"{API}/consultations/{pid(cid)}/accept", headers=first_headers).status_code == 200
    assert consultations.reassign_stale(db, now=utcnow() + timedelta(minutes=5)) == []

    assert consultations.reassign_stale(db, now=utcnow() + LATE) == [cid]
    row = db.get(Consultation, cid)
    assert (row.status, row.doctor_id, row.accepted_at, row.reassign_count) == ("waiting", None, None, 1)
    assert db.get(ConsultationExclusion, (cid, first.id)) is not None
    # the doctor who let it lapse no longer sees it nor may take it back; a colleague may
    assert cid not in queue_ids(client, first_headers) and cid in queue_ids(client, second_headers)
    again = client.post(f"{API}/consultations/{pid(cid)}/accept", headers=first_headers)
    assert again.status_code == 422 and again.json()["code"] == "reassigned-away"
    assert again.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"{API}/consultations/{pid(cid)}", headers=first_headers).status_code == 404
    taken = client.post(f"{API}/consultations/{pid(cid)}/accept", headers=second_headers)
    assert taken.status_code == 200 and taken.json()["doctor"]["name"] == second.name
    # recorded: history, audit, and a notice in the patient's chat
    events = consultations.events_of(db, consultation_id=cid)
    assert [e.kind for e in events] == ["queued", "accepted", "reassigned", "accepted"]
    assert events[2].detail["previous_doctor_id"] == first.id
    assert "hospital.consultation.reassign" in audit_actions(db, cid)
    assert any("已为您转派其他医生" in text for text in system_messages(client, patient_headers, cid))


def test_the_doctor_presence_for_idt10_is_confirmed_again_after_a_reassignment(db, client, make_user):
    _, doctor_headers, _ = make_doctor(db, make_user, department="全科")
    _, cid = waiting_request(db, client, make_user)
    online(client, doctor_headers)
    client.post(f"{API}/consultations/{pid(cid)}/accept", headers=doctor_headers)
    client.post(f"{API}/consultations/{pid(cid)}/doctor-present", headers=doctor_headers)
    assert db.get(Consultation, cid).doctor_present_at is not None
    consultations.reassign_stale(db, now=utcnow() + LATE)
    assert db.get(Consultation, cid).doctor_present_at is None


def test_waiting_past_the_timeout_is_escalated_to_the_whole_centre(db, client, make_user):
    _, colleague_headers, _ = make_doctor(db, make_user, department="内科")  # same 全科 centre, other department
    _, outsider_headers, _ = make_doctor(db, make_user, department="皮肤科")
    patient_headers, cid = waiting_request(db, client, make_user)
    online(client, colleague_headers)
    online(client, outsider_headers)
    assert cid not in queue_ids(client, colleague_headers)
    early = client.post(f"{API}/consultations/{pid(cid)}/accept", headers=colleague_headers)
    assert early.status_code == 422 and early.json()["code"] == "department-first"
    assert consultations.reassign_stale(db, now=utcnow() + timedelta(minutes=10)) == []

    assert consultations.reassign_stale(db, now=utcnow() + LATE) == [cid]
    assert consultations.reassign_stale(db, now=utcnow() + 2 * LATE) == []  # escalated once
    queue = client.get(f"{API}/doctor/queue", headers=colleague_headers).json()
    assert [(c["id"], c["escalated"]) for c in queue] == [(pid(cid), True)]
    assert cid not in queue_ids(client, outsider_headers)
    assert [e.kind for e in consultations.events_of(db, consultation_id=cid)] == ["queued", "escalated"]
    assert "hospital.consultation.escalate" in audit_actions(db, cid)
    assert any("已为您转派其他医生" in text for text in system_messages(client, patient_headers, cid))
    page = client.get("/doctor/workbench", headers=colleague_headers)
    assert 'data-testid="escalated-badge"' in page.text
    assert client.post(f"{API}/consultations/{pid(cid)}/accept", headers=colleague_headers).status_code == 200


def test_escalated_requests_come_first_in_the_queue(db, client, make_user):
    _, doctor_headers, _ = make_doctor(db, make_user, department="全科")
    _, escalated = waiting_request(db, client, make_user)
    assert consultations.reassign_stale(db, now=utcnow() + LATE) == [escalated]
    _, fresh = waiting_request(db, client, make_user)
    # even a fresh request that somehow queued earlier waits behind the escalated one
    db.get(Consultation, fresh).queued_at = db.get(Consultation, escalated).queued_at - timedelta(hours=1)
    db.commit()
    assert queue_ids(client, doctor_headers) == [escalated, fresh]


def test_a_returned_request_waits_a_full_timeout_before_escalating(db, client, make_user):
    _, doctor_headers, _ = make_doctor(db, make_user, department="全科")
    _, cid = waiting_request(db, client, make_user)
    online(client, doctor_headers)
    client.post(f"{API}/consultations/{pid(cid)}/accept", headers=doctor_headers)
    returned_at = utcnow() + LATE
    assert consultations.reassign_stale(db, now=returned_at) == [cid]
    assert consultations.reassign_stale(db, now=returned_at + timedelta(minutes=5)) == []
    assert consultations.reassign_stale(db, now=returned_at + LATE) == [cid]
    row = db.get(Consultation, cid)
    assert row.escalated_at == returned_at + LATE and row.reassign_count == 2


def test_closed_and_answered_requests_are_left_alone(db, client, make_user):
    _, doctor_headers, _ = make_doctor(db, make_user, department="全科")
    patient_headers, cancelled = waiting_request(db, client, make_user)
    client.post(f"{API}/consultations/{pid(cancelled)}/cancel", headers=patient_headers)
    _, answered = waiting_request(db, client, make_user)
    online(client, doctor_headers)
    client.post(f"{API}/consultations/{pid(answered)}/accept", headers=doctor_headers)
    client.post(f"{API}/consultations/{pid(answered)}/messages", json={"text": "您好"}, headers=doctor_headers)
    assert consultations.reassign_stale(db, now=utcnow() + timedelta(hours=3)) == []
