"""Internet-hospital hand-off: the tests call what the prescriptions domain calls (review.service) and record
the events we publish back (their reactions are tested on their side)."""
import pytest
from sqlalchemy import select

from healthhub.core.errors import NotFound
from healthhub.review import service
from healthhub.review.events import PrescriberConfirmationRequested, PrescriptionReviewDecided
from healthhub.review.models import ReviewRecord
from healthhub.review.schemas import ReviewRequest
from tests.events import captured_events
from tests.factories import pid
from tests.review.conftest import DDI_WARN_REQUEST, PASS_REQUEST, REJECT_REQUEST


@pytest.fixture
def published():
    """Our outgoing events, captured instead of reaching prescriptions that these tests never created."""
    with captured_events(PrescriptionReviewDecided, PrescriberConfirmationRequested) as seen:
        yield seen


def _submit(db, prescription_id, request, doctor_id):
    service.submit_prescription(db, prescription_id=prescription_id, request=ReviewRequest.model_validate(request),
                                doctor_user_id=doctor_id, patient_label="张*（男，45岁）")
    return db.execute(select(ReviewRecord).where(ReviewRecord.source_ref == str(prescription_id))
                      .order_by(ReviewRecord.id.desc())).scalars().first()


def test_a_pass_verdict_still_waits_for_the_pharmacists_signature(client, db, make_user, published):
    doctor, _ = make_user("doctor")
    pharmacist, headers = make_user("pharmacist")
    record = _submit(db, 9001, PASS_REQUEST, doctor.id)
    assert record.verdict == "pass" and record.status == "pending" and record.tenant_id is None
    assert record.patient_label == "张*（男，45岁）" and record.doctor_user_id == doctor.id
    queue = client.get("/api/v1/review/reviews?status=pending&platform=true", headers=headers).json()
    assert pid(record.id) in {r["id"] for r in queue["items"]}
    approved = client.post(f"/api/v1/review/reviews/{pid(record.id)}/approve", json={}, headers=headers).json()
    assert published == [PrescriptionReviewDecided(
        prescription_id=9001, review_id=record.id, outcome="approved", pharmacist_user_id=pharmacist.id,
        reason=None, signature=approved["signature"])]


def test_repeated_submission_while_open_does_not_queue_twice(db, make_user, published):
    doctor, _ = make_user("doctor")
    first = _submit(db, 9002, PASS_REQUEST, doctor.id)
    second = _submit(db, 9002, PASS_REQUEST, doctor.id)
    assert first.id == second.id


def test_reject_is_returned_with_the_reason(client, db, make_user, published):
    doctor, _ = make_user("doctor")
    _, headers = make_user("pharmacist")
    record = _submit(db, 9003, REJECT_REQUEST, doctor.id)
    client.post(f"/api/v1/review/reviews/{pid(record.id)}/return", json={"reason": "特殊管理药品不得网上开具"}, headers=headers)
    assert published[0].outcome == "returned" and published[0].reason == "特殊管理药品不得网上开具"
    assert published[0].signature is None


def test_double_sign_round_trip(client, db, make_user, published):
    doctor, _ = make_user("doctor")
    _, headers = make_user("pharmacist")
    record = _submit(db, 9004, DDI_WARN_REQUEST, doctor.id)
    client.post(f"/api/v1/review/reviews/{pid(record.id)}/ask-doctor", json={"question": "合用辛伐他汀，请确认剂量"},
                headers=headers)
    [asked] = published
    assert isinstance(asked, PrescriberConfirmationRequested) and asked.prescription_id == 9004
    assert asked.review_id == record.id and asked.question == "合用辛伐他汀，请确认剂量"
    assert any(f["family"] == "DDI" for f in asked.findings)
    service.record_prescriber_confirmation(db, prescription_id=9004, doctor_user_id=doctor.id, comment="已评估，继续使用")
    db.refresh(record)
    assert record.status == "pending" and record.double_signed and record.doctor_comment == "已评估，继续使用"
    assert record.confirming_doctor == {"user_id": doctor.id}
    page = client.get(f"/review/workbench/{pid(record.id)}", headers={**headers, "Accept": "text/html"}).text
    assert f"确认医生：{doctor.display_name}" in page
    approved = client.post(f"/api/v1/review/reviews/{pid(record.id)}/approve", json={}, headers=headers)
    assert approved.status_code == 200 and published[-1].outcome == "approved"


def test_confirmation_for_an_unknown_prescription_is_loud(db):
    with pytest.raises(NotFound):
        service.record_prescriber_confirmation(db, prescription_id=999_999, doctor_user_id=1, comment="")


def test_a_doctor_sees_the_reviews_of_their_own_prescriptions_only(client, db, make_user, published):
    doctor, doctor_headers = make_user("doctor")
    other, _ = make_user("doctor")
    mine = _submit(db, 9005, PASS_REQUEST, doctor.id)
    theirs = _submit(db, 9006, PASS_REQUEST, other.id)
    assert client.get(f"/api/v1/review/reviews/{pid(mine.id)}", headers=doctor_headers).status_code == 200
    assert client.get(f"/api/v1/review/reviews/{pid(theirs.id)}", headers=doctor_headers).status_code == 404
