"""A clinic's auto-approval (RV-01/RV-04): only what the engine, before the clinic's own overrides, flagged
nothing in and checked completely is released without a pharmacist; everything else is queued."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from healthhub.review.decisions import Source, Status, auto_pass_allowed, initial_status
from tests.review.conftest import DDI_WARN_REQUEST, PASS_REQUEST

pytestmark = pytest.mark.usefixtures("allow_local_webhooks")  # the clinics' webhooks point at 127.0.0.1


def _checked(items: list[dict], diagnoses: list[str]) -> dict:
    """A prescription the engine can check completely: prescriber facts given and dated today in China."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    return {"patient": {"age_years": 50, "sex": "M", "weight_kg": 75}, "diagnoses": diagnoses, "items": items,
            "prescriber": {"qualified": True, "signature_valid": True, "patient_identified": True,
                           "issued_on": today, "valid_until": today}}


METFORMIN = _checked([{"drug": "二甲双胍", "dose_mg": 500, "times_per_day": 2, "route": "oral", "days": 7}], ["E11.9"])
SILDENAFIL_NITRATE = _checked([{"drug": "西地那非", "dose_mg": 50, "times_per_day": 1, "route": "oral", "days": 1},
                               {"drug": "硝酸甘油", "dose_mg": 0.5, "times_per_day": 1, "route": "舌下", "days": 1}],
                              ["N48.4", "I20.9"])


def _post(client, tenant, body):
    response = client.post("/api/v1/review", json=body, headers={"X-Api-Key": tenant["api_key"]})
    assert response.status_code == 200, response.text
    return response.json()


def _deliveries(client, new_tenant, tenant):
    return client.get(f"/api/v1/review/tenants/{tenant['id']}/webhooks",
                      headers=new_tenant.operator_headers).json()["items"]


def test_a_fully_checked_clean_review_is_released_and_reported(client, new_tenant):
    tenant = new_tenant(auto_approve_pass=True, webhook_url="http://127.0.0.1:9/hook")
    passed = _post(client, tenant, METFORMIN)
    assert passed["verdict"] == "pass" and passed["findings"] == [] and passed["status"] == "auto_passed"
    assert [(d["event_type"], d["review_id"]) for d in _deliveries(client, new_tenant, tenant)] == [
        ("review.decided", passed["review_id"])]


def test_warnings_and_anything_not_checked_go_to_the_pharmacist(client, new_tenant):
    tenant = new_tenant(auto_approve_pass=True, webhook_url="http://127.0.0.1:9/hook")
    warned = _post(client, tenant, DDI_WARN_REQUEST)
    # "pass", but the prescriber facts and amlodipine's condition contraindications were not checked
    unchecked = _post(client, tenant, PASS_REQUEST)
    assert unchecked["verdict"] == "pass"
    assert {f["rule"] for f in unchecked["findings"]} == {"LEGAL-NOT-CHECKED", "CONTRAINDICATION-NOT-CHECKED"}
    assert warned["status"] == unchecked["status"] == "pending"
    assert _deliveries(client, new_tenant, tenant) == []


@pytest.mark.parametrize("override", [{"disabled": True}, {"severity": "info"}])
def test_a_clinic_silencing_a_rule_does_not_auto_pass_what_the_rule_catches(client, new_tenant, override):
    tenant = new_tenant(auto_approve_pass=True, webhook_url="http://127.0.0.1:9/hook")
    response = client.put(f"/api/v1/review/tenants/{tenant['id']}/overrides/DDI-CONTRAINDICATED", json=override,
                          headers=new_tenant.operator_headers)
    assert response.status_code == 200, response.text
    result = _post(client, tenant, SILDENAFIL_NITRATE)
    assert result["verdict"] == "pass"  # the clinic's own verdict, with its override
    assert result["status"] == "pending"  # but sildenafil with a nitrate waits for a pharmacist
    assert _deliveries(client, new_tenant, tenant) == []


def test_without_auto_approval_even_a_clean_review_waits(client, new_tenant):
    assert _post(client, new_tenant(), METFORMIN)["status"] == "pending"


def test_auto_pass_allowed_is_a_pure_decision():
    info = {"family": "DDI", "rule": "DDI-MODERATE", "severity": "info"}
    assert auto_pass_allowed([]) and auto_pass_allowed([info])
    for rule, severity in (("DDI-MAJOR", "warn"), ("DDI-CONTRAINDICATED", "block"), ("DOSE-NOT-CHECKED", "info"),
                           ("CONTRAINDICATION-NOT-CHECKED", "info"), ("DDI-UNKNOWN-SEVERITY", "info")):
        assert not auto_pass_allowed([info, {"family": rule.split("-")[0], "rule": rule, "severity": severity}])
    assert initial_status(source=Source.CLINIC, auto_pass=True) == Status.AUTO_PASSED
    assert initial_status(source=Source.PRESCRIPTION, auto_pass=True) == Status.PENDING  # RV-01: always a pharmacist
    assert initial_status(source=Source.API, auto_pass=False) == Status.CHECKED
