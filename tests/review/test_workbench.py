"""Pharmacist workbench: signed approval, return with a reason, double signature for warnings,
reject verdicts blocked, SLA statistics."""
from datetime import timedelta

from healthhub.core.db import utcnow
from healthhub.core.public_ids import decode
from healthhub.review import stats
from healthhub.review.policies import Caller
from healthhub.review.decisions import approval_check
from healthhub.review.models import ReviewRecord
from tests.factories import pid
from tests.review.conftest import (CONFIRMING_DOCTOR, DAYS_WARN_REQUEST, DDI_WARN_REQUEST, PASS_REQUEST,
                                  REJECT_REQUEST)


def _submit(client, tenant, body):
    return client.post("/api/v1/review", json=body, headers={"X-Api-Key": tenant["api_key"]}).json()["review_id"]


def test_approval_is_signed_and_the_signature_covers_the_review(client, db, new_tenant, pharmacist_of):
    tenant = new_tenant()
    user, pharmacist = pharmacist_of(tenant)
    review_id = _submit(client, tenant, PASS_REQUEST)
    approved = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist).json()
    assert approved["status"] == "approved" and approved["decided_by_user_id"] == pid(user.id)
    assert len(approved["signature"]) == 128 and approved["signature_valid"] is True  # SM2 r||s
    again = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist)
    assert again.status_code == 409
    record = db.get(ReviewRecord, decode(review_id))
    record.request = {**record.request, "diagnoses": ["Z00.0"]}  # tampering after signing
    db.flush()
    assert client.get(f"/api/v1/review/reviews/{review_id}", headers=pharmacist).json()["signature_valid"] is False


def test_reject_verdicts_can_only_be_returned_with_a_reason(client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = _submit(client, tenant, REJECT_REQUEST)
    blocked = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={"note": "我确认可以"}, headers=pharmacist)
    assert blocked.status_code == 409 and blocked.json()["code"] == "approval-blocked"
    assert client.post(f"/api/v1/review/reviews/{review_id}/ask-doctor", json={"question": "请确认用药"},
                       headers=pharmacist).status_code == 409
    no_reason = client.post(f"/api/v1/review/reviews/{review_id}/return", json={"reason": " "}, headers=pharmacist)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason-required"
    returned = client.post(f"/api/v1/review/reviews/{review_id}/return", json={"reason": "吗啡为特殊管理药品，不得开具"},
                           headers=pharmacist).json()
    assert returned["status"] == "returned" and returned["signature"] is None


def test_interaction_warning_needs_the_prescribers_double_signature(client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = _submit(client, tenant, DDI_WARN_REQUEST)
    refused = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={"note": "剂量不高，可以使用"},
                          headers=pharmacist)
    assert refused.status_code == 409 and "双签" in refused.json()["detail"]
    asked = client.post(f"/api/v1/review/reviews/{review_id}/ask-doctor",
                        json={"question": "辛伐他汀与氨氯地平合用，请确认剂量"}, headers=pharmacist).json()
    assert asked["status"] == "awaiting_doctor"
    confirmed = client.post(f"/api/v1/review/reviews/{review_id}/doctor-confirmation",
                            json={"doctor": CONFIRMING_DOCTOR, "comment": "已知悉，辛伐他汀减至20mg以下随访"},
                            headers={"X-Api-Key": tenant["api_key"]}).json()
    assert confirmed["status"] == "pending" and confirmed["double_signed"] is True
    assert confirmed["confirming_doctor"] == CONFIRMING_DOCTOR
    approved = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist).json()
    assert approved["status"] == "approved" and approved["signature_valid"] is True


def test_other_warnings_need_a_pharmacist_note(client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = _submit(client, tenant, DAYS_WARN_REQUEST)
    assert client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist).status_code == 409
    approved = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={"note": "慢病稳定，14天合理"},
                           headers=pharmacist).json()
    assert approved["decision_reason"] == "慢病稳定，14天合理"


def test_only_pharmacists_decide(client, db, new_tenant, clinic_admin_of, make_user):
    tenant = new_tenant()
    review_id = _submit(client, tenant, PASS_REQUEST)
    others = (clinic_admin_of(tenant), make_user("doctor")[1], {"X-Api-Key": tenant["api_key"]})
    db.commit()  # a refused request rolls back to the last commit; keep the users made above
    for headers in others:
        assert client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=headers).status_code == 403


def test_approval_check_is_a_pure_decision():
    ddi = [{"family": "DDI", "severity": "warn", "rule": "DDI-MAJOR"}]
    assert not approval_check(status="pending", verdict="review", findings=ddi, double_signed=False, note="ok ok").allowed
    assert approval_check(status="pending", verdict="review", findings=ddi, double_signed=True, note=None).allowed
    assert approval_check(status="pending", verdict="pass", findings=[], double_signed=False, note=None).allowed
    assert not approval_check(status="approved", verdict="pass", findings=[], double_signed=False, note=None).allowed


def test_sla_waiting_time_and_throughput(db, client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    user, pharmacist = pharmacist_of(tenant)
    ids = [_submit(client, tenant, PASS_REQUEST) for _ in range(4)]
    now = utcnow()
    for minutes, review_id in zip((10, 20, 30), ids, strict=False):
        record = db.get(ReviewRecord, decode(review_id))
        record.queued_at = now - timedelta(minutes=minutes)
        db.flush()
        client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist)
    caller = Caller(role="api_key", tenant_id=decode(tenant["id"]))
    result = stats.sla(db, caller, days=7, now=utcnow())
    assert result.decided == 3 and result.pending == 1
    assert 19 <= result.wait_p50_minutes <= 21 and 29 <= result.wait_p90_minutes <= 31
    assert [(t.pharmacist_user_id, t.decided) for t in result.throughput] == [(user.id, 3)]
    api = client.get("/api/v1/review/stats/sla", headers=pharmacist).json()
    assert api["decided"] >= 3 and api["throughput"][0]["pharmacist_name"] == user.display_name
    usage = client.get("/api/v1/review/usage?days=7", headers={"X-Api-Key": tenant["api_key"]}).json()
    assert usage["total"] == 4 and usage["verdicts"]["pass"] == 4 and usage["days"][-1]["total"] == 4


def test_percentile_has_no_value_without_data():
    assert stats.percentile([], 50) is None
    assert stats.percentile([5, 1, 3, 2, 4], 50) == 3 and stats.percentile([5, 1, 3, 2, 4], 90) == 5
