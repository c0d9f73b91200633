"""A tenant never sees another tenant's reviews, patients or stats: checked through the API with
both tenants' keys and clinic admins."""
from tests.review.conftest import CONFIRMING_DOCTOR, DDI_WARN_REQUEST, PASS_REQUEST


def _submit(client, key, patient_ref, body=PASS_REQUEST):
    response = client.post(f"/api/v1/review?patient_ref={patient_ref}", json=body, headers={"X-Api-Key": key})
    assert response.status_code == 200
    return response.json()["review_id"]


def test_two_tenants_are_isolated(client, new_tenant, clinic_admin_of):
    a, b = new_tenant(), new_tenant()
    a_admin, b_admin = clinic_admin_of(a), clinic_admin_of(b)
    a_review = _submit(client, a["api_key"], "PA-001")
    b_review = _submit(client, b["api_key"], "PB-001", DDI_WARN_REQUEST)
    _submit(client, b["api_key"], "PB-002")
    for headers, own, foreign, own_count in (({"X-Api-Key": a["api_key"]}, a_review, b_review, 1), (a_admin, a_review, b_review, 1),
                                             ({"X-Api-Key": b["api_key"]}, b_review, a_review, 2), (b_admin, b_review, a_review, 2)):
        assert client.get(f"/api/v1/review/reviews/{own}", headers=headers).status_code == 200
        hidden = client.get(f"/api/v1/review/reviews/{foreign}", headers=headers)
        assert hidden.status_code == 404 and hidden.json()["code"] == "review-not-found"
        listed = client.get("/api/v1/review/reviews", headers=headers).json()
        assert listed["total"] == own_count and foreign not in {r["id"] for r in listed["items"]}
        usage = client.get("/api/v1/review/usage", headers=headers).json()
        assert usage["total"] == own_count
        sla = client.get("/api/v1/review/stats/sla", headers=headers).json()
        assert sla["pending"] == own_count
    # Patients: asking for the other clinic's patient reference finds nothing.
    assert client.get("/api/v1/review/reviews?patient_ref=PB-001",
                      headers={"X-Api-Key": a["api_key"]}).json()["total"] == 0
    assert client.get("/api/v1/review/reviews?patient_ref=PB-001", headers=b_admin).json()["total"] == 1
    # Explicitly naming the other tenant is refused like a missing one.
    assert client.get(f"/api/v1/review/usage?tenant_id={b['id']}", headers=a_admin).status_code == 404
    assert client.get(f"/api/v1/review/stats/sla?tenant_id={b['id']}",
                      headers={"X-Api-Key": a["api_key"]}).status_code == 404
    for path in ("", "/keys", "/members", "/overrides", "/webhooks"):
        assert client.get(f"/api/v1/review/tenants/{b['id']}{path}", headers=a_admin).status_code == 404
    assert [t["id"] for t in client.get("/api/v1/review/tenants", headers=a_admin).json()["items"]] == [a["id"]]
    # The platform sees both.
    operator = new_tenant.operator_headers
    assert client.get(f"/api/v1/review/usage?tenant_id={b['id']}", headers=operator).json()["total"] == 2


def test_pharmacists_see_only_assigned_tenants(client, new_tenant, pharmacist_of):
    a, b = new_tenant(), new_tenant()
    _, pharmacist = pharmacist_of(a)
    a_review = _submit(client, a["api_key"], "PA-9")
    b_review = _submit(client, b["api_key"], "PB-9")
    assert client.get(f"/api/v1/review/reviews/{a_review}", headers=pharmacist).status_code == 200
    assert client.get(f"/api/v1/review/reviews/{b_review}", headers=pharmacist).status_code == 404
    approve = client.post(f"/api/v1/review/reviews/{b_review}/approve", json={}, headers=pharmacist)
    assert approve.status_code == 404
    queue = client.get("/api/v1/review/reviews?status=pending", headers=pharmacist).json()
    assert b_review not in {r["id"] for r in queue["items"]}


def test_a_clinic_cannot_confirm_or_read_through_another_tenants_key(client, new_tenant):
    a, b = new_tenant(), new_tenant()
    b_review = _submit(client, b["api_key"], "PB-7", DDI_WARN_REQUEST)
    confirm = client.post(f"/api/v1/review/reviews/{b_review}/doctor-confirmation",
                          json={"doctor": CONFIRMING_DOCTOR, "comment": "确认"}, headers={"X-Api-Key": a["api_key"]})
    assert confirm.status_code == 404
