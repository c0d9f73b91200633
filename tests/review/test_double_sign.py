"""RV-05 double signature from a clinic: the confirming doctor must be named (name with a practising
licence number or the clinic's own doctor id); it is recorded, audited and reported back."""
import json

import pytest
from sqlalchemy import select

from healthhub.core.audit import AuditEntry
from healthhub.core.errors import RuleViolation
from healthhub.core.public_ids import decode
from healthhub.review import workbench
from healthhub.review.models import ReviewRecord, WebhookDelivery
from tests.review.conftest import CONFIRMING_DOCTOR, DDI_WARN_REQUEST


@pytest.fixture
def awaiting(client, new_tenant, pharmacist_of, allow_local_webhooks):
    """A clinic review the pharmacist sent back for the prescriber's confirmation: (tenant, review id, headers)."""
    tenant = new_tenant(webhook_url="http://127.0.0.1:9/hook")
    _, pharmacist = pharmacist_of(tenant)
    review_id = client.post("/api/v1/review", json=DDI_WARN_REQUEST,
                            headers={"X-Api-Key": tenant["api_key"]}).json()["review_id"]
    asked = client.post(f"/api/v1/review/reviews/{review_id}/ask-doctor", json={"question": "合用辛伐他汀，请确认剂量"},
                        headers=pharmacist)
    assert asked.status_code == 200, asked.text
    return tenant, review_id, pharmacist


def _confirm(client, tenant, review_id, body):
    return client.post(f"/api/v1/review/reviews/{review_id}/doctor-confirmation", json=body,
                       headers={"X-Api-Key": tenant["api_key"]})


@pytest.mark.parametrize(("body", "field"), [
    ({"comment": "确认"}, "doctor"),
    ({"doctor": {"name": "李建国"}, "comment": "确认"}, "doctor"),
    ({"doctor": {"name": "  ", "licence_no": "110440100015372"}}, "doctor.name"),
    ({"doctor": {"name": "李建国", "licence_no": "1"}}, "doctor.licence_no"),
    ({"doctor": {**CONFIRMING_DOCTOR, "title": "主任"}}, "doctor.title"),
])
def test_a_confirmation_without_a_named_doctor_is_refused_with_the_field(client, db, awaiting, body, field):
    tenant, review_id, _ = awaiting
    response = _confirm(client, tenant, review_id, body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {error["field"] for error in response.json()["errors"]}
    record = db.get(ReviewRecord, decode(review_id))
    assert record.status == "awaiting_doctor" and not record.double_signed and record.confirming_doctor is None


@pytest.mark.parametrize("doctor", [CONFIRMING_DOCTOR, {"name": "张敏", "external_id": "HIS-DR-0042"},
                                    {"name": "张敏", "licence_no": "110440100015372", "external_id": "D42"}])
def test_the_named_doctor_is_recorded_audited_and_reported(client, db, awaiting, doctor):
    tenant, review_id, pharmacist = awaiting
    confirmed = _confirm(client, tenant, review_id, {"doctor": doctor, "comment": "已评估，辛伐他汀减至20mg"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirming_doctor"] == doctor and confirmed.json()["double_signed"] is True
    entry = db.execute(select(AuditEntry).where(AuditEntry.action == "review.doctor_confirm",
                                                AuditEntry.entity_id == str(decode(review_id)))).scalar_one()
    assert entry.detail["doctor"] == doctor
    approved = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist).json()
    assert approved["signature_valid"] is True
    delivery = db.execute(select(WebhookDelivery).where(WebhookDelivery.review_id == decode(review_id),
                                                        WebhookDelivery.event_type == "review.decided")).scalar_one()
    assert json.loads(delivery.body)["data"]["confirming_doctor"] == doctor


def test_the_service_refuses_an_anonymous_double_signature(db, client, awaiting):
    _, review_id, _ = awaiting
    record = db.get(ReviewRecord, decode(review_id))
    for doctor in ({}, {"user_id": None}, {"name": "李建国"}, {"licence_no": "110440100015372"}):
        with pytest.raises(RuleViolation) as raised:
            workbench.doctor_confirmed(db, record=record, doctor=doctor, comment="确认")
        assert raised.value.code == "doctor-identity-required"
    assert record.status == "awaiting_doctor" and not record.double_signed
