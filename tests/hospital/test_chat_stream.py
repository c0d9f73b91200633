"""The SSE stream delivers persisted messages and the closing status, then ends (real commits)."""
import json

from fastapi.testclient import TestClient

from healthhub.app import create_app
from healthhub.core.config import get_settings
from healthhub.hospital import service_chat
from healthhub.hospital import service_consultations as consultations
from healthhub.hospital.centres import department_by_name
from healthhub.hospital.service_doctors import go_online
from tests.factories import TEST_PASSWORD, create_user_with_token, pid
from tests.hospital.builders import make_doctor
from tests.patients.builders import make_patient


def test_stream_replays_messages_and_ends_with_the_consultation(committed_db):
    with committed_db.session_scope() as db:
        def make_user(role):
            return create_user_with_token(db, role=role)

        doctor_user, _, _ = make_doctor(db, make_user)
        account, patient_headers = make_user("patient")
        patient, record = make_patient(db, account.id)
        go_online(db, doctor_user_id=doctor_user.id, username=doctor_user.username, method="password",
                  secret=TEST_PASSWORD)
        opened = consultations.request_consultation(db, account_user_id=account.id, data=consultations.ConsultationRequest(
            patient_id=patient.id, department_id=department_by_name(db, "呼吸内科").id, complaint="咳嗽复诊开药",
            record_id=record.id))
        consultations.accept(db, doctor_user_id=doctor_user.id, consultation_id=opened.id)
        first = service_chat.post_text(db, consultation_id=opened.id, user_id=account.id, text="医生好")
        service_chat.post_text(db, consultation_id=opened.id, user_id=doctor_user.id, text="您好")
        consultations.terminate(db, doctor_user_id=doctor_user.id, consultation_id=opened.id, reason="unsuitable")
        cid = opened.id
    with TestClient(create_app(get_settings(), committed_db)) as client:
        response = client.get(f"/api/v1/hospital/consultations/{pid(cid)}/stream", headers={
            **patient_headers, "Last-Event-ID": pid(first.id)})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\n\n") if block.strip()]
    parsed = [(line.split(": ", 1)[1] for line in block.splitlines() if line.startswith(("event", "data")))
              for block in events]
    kinds = [(kind, json.loads(data)) for kind, data in parsed]
    assert [(k, d.get("text") or d.get("status")) for k, d in kinds] == [("message", "您好"), ("status", "terminated")]
