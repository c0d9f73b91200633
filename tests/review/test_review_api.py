"""POST /api/v1/review: authentication, the contract, persistence and validation errors."""
from sqlalchemy import select

from healthhub.core.audit import AuditEntry
from healthhub.core.public_ids import decode
from healthhub.review.models import ReviewRecord
from tests.factories import pid
from tests.review.conftest import DDI_WARN_REQUEST, PASS_REQUEST, REJECT_REQUEST


def test_tenant_key_review_returns_the_contract_plus_a_review_id_and_is_persisted(client, db, new_tenant):
    tenant = new_tenant()
    response = client.post("/api/v1/review?external_ref=RX-1&patient_ref=P-1", json=DDI_WARN_REQUEST,
                           headers={"X-Api-Key": tenant["api_key"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] == "review" and body["status"] == "pending"
    assert any(f["family"] == "DDI" and f["severity"] == "warn" for f in body["findings"])
    record = db.get(ReviewRecord, decode(body["review_id"]))
    assert pid(record.tenant_id) == tenant["id"] and record.source == "clinic" and record.source_ref == "RX-1"
    assert record.kb_version == body["kb_version"] and record.engine_us > 0
    assert record.request["items"][1]["drug"] == "辛伐他汀"
    assert record.response["findings"] == body["findings"]
    assert db.execute(select(AuditEntry).where(AuditEntry.action == "review.submit",
                                               AuditEntry.entity_id == str(record.id))).scalar_one()


def test_verdicts_of_the_reference_requests(client, make_user):
    _, doctor = make_user("doctor")
    verdicts = [client.post("/api/v1/review", json=body, headers=doctor).json()["verdict"]
                for body in (PASS_REQUEST, DDI_WARN_REQUEST, REJECT_REQUEST)]
    assert verdicts == ["pass", "review", "reject"]


def test_a_doctor_token_gets_a_pre_check_that_queues_nothing(client, db, make_user):
    _, doctor = make_user("doctor")
    body = client.post("/api/v1/review", json=PASS_REQUEST, headers=doctor).json()
    record = db.get(ReviewRecord, decode(body["review_id"]))
    assert body["status"] == "checked" and record.tenant_id is None and record.queued_at is None


def test_authentication_is_required_and_roles_are_checked(client, make_user, new_tenant):
    assert client.post("/api/v1/review", json=PASS_REQUEST).status_code == 401
    bad = client.post("/api/v1/review", json=PASS_REQUEST, headers={"X-Api-Key": "hhk_not-a-real-key"})
    assert bad.status_code == 401 and bad.json()["code"] == "bad-api-key"
    _, patient = make_user("patient")
    assert client.post("/api/v1/review", json=PASS_REQUEST, headers=patient).status_code == 403
    _, lonely_admin = make_user("clinic_admin")
    refused = client.post("/api/v1/review", json=PASS_REQUEST, headers=lonely_admin)
    assert refused.status_code == 403 and refused.json()["code"] == "no-tenant"


def test_invalid_body_is_a_problem_with_field_paths(client, new_tenant):
    tenant = new_tenant()
    bad = {"patient": {"age_years": -1, "sex": "X"}, "items": [{"drug": ""}]}
    response = client.post("/api/v1/review", json=bad, headers={"X-Api-Key": tenant["api_key"]})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"patient.age_years", "patient.sex", "items[0].drug"} <= fields


def test_idempotency_key_replays_the_first_review(client, db, new_tenant):
    tenant = new_tenant()
    headers = {"X-Api-Key": tenant["api_key"], "Idempotency-Key": "clinic-retry-0001"}
    first = client.post("/api/v1/review", json=PASS_REQUEST, headers=headers).json()
    second = client.post("/api/v1/review", json=PASS_REQUEST, headers=headers).json()
    assert first == second
    assert db.execute(select(ReviewRecord).where(ReviewRecord.tenant_id == decode(tenant["id"]))).scalars().all().__len__() == 1
    other = client.post("/api/v1/review", json=REJECT_REQUEST, headers=headers)
    assert other.status_code == 409


def test_reviews_and_tenants_are_reached_by_public_ids_never_by_sequential_keys(client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = client.post("/api/v1/review", json=PASS_REQUEST, headers={"X-Api-Key": tenant["api_key"]}).json()[
        "review_id"]
    assert client.get(f"/api/v1/review/reviews/{decode(review_id)}", headers=pharmacist).status_code == 404
    assert client.get(f"/api/v1/review/reviews/{review_id}", headers=pharmacist).json()["tenant_id"] == tenant["id"]
    operator = new_tenant.operator_headers
    assert client.get(f"/api/v1/review/tenants/{decode(tenant['id'])}", headers=operator).status_code == 404
    assert client.get(f"/api/v1/review/tenants/{tenant['id']}", headers=operator).json()["code"] == tenant["code"]
