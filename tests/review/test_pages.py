"""Review pages render for the right roles, with findings, empty states and pagination."""
from tests.review.conftest import CONFIRMING_DOCTOR, DDI_WARN_REQUEST, PASS_REQUEST, REJECT_REQUEST

HTML = {"Accept": "text/html"}


def _submit(client, tenant, body):
    return client.post("/api/v1/review", json=body, headers={"X-Api-Key": tenant["api_key"]}).json()["review_id"]


def test_workbench_queue_detail_and_empty_state(client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    empty = client.get("/review/workbench", headers={**pharmacist, **HTML})
    assert empty.status_code == 200 and 'data-testid="queue-empty"' in empty.text
    warn_id, reject_id = _submit(client, tenant, DDI_WARN_REQUEST), _submit(client, tenant, REJECT_REQUEST)
    queue = client.get("/review/workbench", headers={**pharmacist, **HTML}).text
    assert queue.count('data-testid="queue-row"') == 2 and "测试社区诊所" in queue
    detail = client.get(f"/review/workbench/{warn_id}", headers={**pharmacist, **HTML}).text
    assert 'data-severity="warn"' in detail and "辛伐他汀" in detail and 'data-testid="ask-doctor"' in detail
    blocked = client.get(f"/review/workbench/{reject_id}", headers={**pharmacist, **HTML}).text
    assert 'data-testid="blocked"' in blocked and 'data-testid="approve"' not in blocked
    assert 'data-severity="block"' in blocked


def test_detail_shows_the_confirming_doctor_and_the_verified_sm2_signature(client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = _submit(client, tenant, DDI_WARN_REQUEST)
    client.post(f"/api/v1/review/reviews/{review_id}/ask-doctor", json={"question": "请确认剂量"}, headers=pharmacist)
    client.post(f"/api/v1/review/reviews/{review_id}/doctor-confirmation",
                json={"doctor": CONFIRMING_DOCTOR, "comment": "减量"}, headers={"X-Api-Key": tenant["api_key"]})
    client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist)
    detail = client.get(f"/review/workbench/{review_id}", headers={**pharmacist, **HTML}).text
    assert "李建国" in detail and "110440100015372" in detail
    assert "药师签名（SM2）" in detail and "校验通过" in detail


def test_queue_paginates(client, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    for _ in range(3):
        _submit(client, tenant, PASS_REQUEST)
    first = client.get("/review/workbench?size=2", headers={**pharmacist, **HTML}).text
    assert first.count('data-testid="queue-row"') == 2 and 'data-testid="next-page"' in first
    second = client.get("/review/workbench?size=2&page=2", headers={**pharmacist, **HTML}).text
    assert second.count('data-testid="queue-row"') == 1


def test_pages_refuse_other_roles_and_hide_other_tenants(client, make_user, new_tenant, clinic_admin_of):
    a, b = new_tenant(), new_tenant()
    _, patient = make_user("patient")
    assert client.get("/review/workbench", headers={**patient, **HTML}).status_code == 403
    admin = clinic_admin_of(a)
    assert client.get(f"/review/tenants/{b['id']}", headers={**admin, **HTML}).status_code == 404
    redirected = client.get("/review/tenants", headers={**admin, **HTML}, follow_redirects=False)
    assert redirected.status_code == 303 and redirected.headers["location"] == f"/review/tenants/{a['id']}"
    assert client.get("/review/workbench", headers=HTML, follow_redirects=False).status_code == 303


def test_tenant_page_shows_keys_rules_and_usage(client, new_tenant, clinic_admin_of):
    tenant = new_tenant()
    admin = clinic_admin_of(tenant)
    _submit(client, tenant, PASS_REQUEST)
    page = client.get(f"/review/tenants/{tenant['id']}", headers={**admin, **HTML}).text
    assert tenant["api_key"][:12] in page and tenant["api_key"] not in page
    assert "BANNED-SPECIAL" in page and "法规底线" in page and "共 1" in page
    listing = client.get("/review/tenants", headers={**new_tenant.operator_headers, **HTML}).text
    assert tenant["code"] in listing


def test_stats_page_for_clinic_and_platform(client, new_tenant, clinic_admin_of, make_user):
    tenant = new_tenant()
    admin = clinic_admin_of(tenant)
    _submit(client, tenant, PASS_REQUEST)
    page = client.get("/review/stats?days=7", headers={**admin, **HTML}).text
    assert 'data-testid="pending">1<' in page and "所选时间内暂无药师审核记录" in page
    _, lonely = make_user("clinic_admin")
    assert "尚未加入任何诊所租户" in client.get("/review/stats", headers={**lonely, **HTML}).text
    assert client.get("/review/stats", headers={**new_tenant.operator_headers, **HTML}).status_code == 200


def test_menu_entries_by_role(client, make_user):
    _, pharmacist = make_user("pharmacist")
    home = client.get("/home", headers={**pharmacist, **HTML}).text
    assert "/review/workbench" in home and "/review/tenants" not in home
    _, operator = make_user("operator")
    assert "/review/tenants" in client.get("/home", headers={**operator, **HTML}).text
