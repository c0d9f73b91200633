"""Tenants: keys hashed and shown once, rotation (with and without grace), revocation, members,
rule overrides within the law's floor."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from healthhub.core.db import utcnow
from healthhub.core.errors import Unauthorized
from healthhub.core.public_ids import decode
from healthhub.core.security import token_digest
from healthhub.review import tenants as tenant_service
from healthhub.review.models import ApiKey
from tests.review.conftest import DAYS_WARN_REQUEST, PASS_REQUEST


def _review(client, key, body=PASS_REQUEST):
    return client.post("/api/v1/review", json=body, headers={"X-Api-Key": key})


def test_keys_are_stored_only_as_sm3_digests_and_shown_once(client, db, new_tenant):
    tenant = new_tenant()
    stored = db.execute(select(ApiKey).where(ApiKey.tenant_id == decode(tenant["id"]))).scalar_one()
    assert stored.key_digest == token_digest(tenant["api_key"]) and stored.prefix == tenant["api_key"][:12]
    raw_rows = db.execute(text("SELECT * FROM review_api_keys")).all()
    assert tenant["api_key"] not in repr(raw_rows)
    secret_cipher = db.execute(text("SELECT webhook_secret FROM review_tenants WHERE id = :id"),
                               {"id": decode(tenant["id"])}).scalar_one()
    assert tenant["webhook_secret"] not in secret_cipher
    listed = client.get(f"/api/v1/review/tenants/{tenant['id']}/keys", headers=new_tenant.operator_headers).json()
    assert "api_key" not in listed[0] and listed[0]["state"] == "active"


def test_rotation_without_grace_stops_the_old_key_at_once(client, new_tenant):
    tenant = new_tenant()
    headers = new_tenant.operator_headers
    key_id = client.get(f"/api/v1/review/tenants/{tenant['id']}/keys", headers=headers).json()[0]["id"]
    rotated = client.post(f"/api/v1/review/tenants/{tenant['id']}/keys/{key_id}/rotate", json={}, headers=headers)
    assert rotated.status_code == 201
    assert _review(client, tenant["api_key"]).status_code == 401
    assert _review(client, rotated.json()["api_key"]).status_code == 200


def test_rotation_with_grace_keeps_the_old_key_until_it_expires(client, db, new_tenant):
    tenant = new_tenant()
    headers = new_tenant.operator_headers
    key_id = client.get(f"/api/v1/review/tenants/{tenant['id']}/keys", headers=headers).json()[0]["id"]
    client.post(f"/api/v1/review/tenants/{tenant['id']}/keys/{key_id}/rotate", json={"grace_minutes": 60},
                headers=headers)
    assert _review(client, tenant["api_key"]).status_code == 200
    tenant_service.authenticate_key(db, plain=tenant["api_key"], now=utcnow() + timedelta(minutes=59))
    with pytest.raises(Unauthorized):
        tenant_service.authenticate_key(db, plain=tenant["api_key"], now=utcnow() + timedelta(minutes=61))
    too_long = client.post(f"/api/v1/review/tenants/{tenant['id']}/keys/{key_id}/rotate",
                           json={"grace_minutes": 60 * 24 * 8}, headers=headers)
    assert too_long.status_code == 422


def test_revoked_keys_and_suspended_tenants_are_refused(client, new_tenant):
    tenant = new_tenant()
    headers = new_tenant.operator_headers
    extra = client.post(f"/api/v1/review/tenants/{tenant['id']}/keys", json={"label": "药房系统"}, headers=headers).json()
    assert client.delete(f"/api/v1/review/tenants/{tenant['id']}/keys/{extra['id']}", headers=headers).json()[
        "state"] == "revoked"
    assert _review(client, extra["api_key"]).status_code == 401
    client.patch(f"/api/v1/review/tenants/{tenant['id']}", json={"status": "suspended"}, headers=headers)
    suspended = _review(client, tenant["api_key"])
    assert suspended.status_code == 403 and suspended.json()["code"] == "tenant-suspended"


def test_only_the_platform_creates_tenants_and_clinic_admins_manage_their_own(client, make_user, new_tenant,
                                                                               clinic_admin_of):
    tenant = new_tenant()
    admin = clinic_admin_of(tenant)
    assert client.post("/api/v1/review/tenants", json={"code": "mine", "name": "我的诊所"}, headers=admin).status_code == 403
    assert client.patch(f"/api/v1/review/tenants/{tenant['id']}", json={"name": "新名称诊所"},
                        headers=admin).json()["name"] == "新名称诊所"
    assert client.patch(f"/api/v1/review/tenants/{tenant['id']}", json={"status": "suspended"},
                        headers=admin).status_code == 403
    pharmacist, _ = make_user("pharmacist")
    added = client.post(f"/api/v1/review/tenants/{tenant['id']}/members",
                        json={"username": pharmacist.username, "role": "pharmacist"}, headers=admin)
    assert added.status_code == 201
    doctor, _ = make_user("doctor")
    mismatch = client.post(f"/api/v1/review/tenants/{tenant['id']}/members",
                           json={"username": doctor.username, "role": "pharmacist"}, headers=admin)
    assert mismatch.status_code == 422
    assert client.get("/api/v1/review/tenants", headers={"X-Api-Key": tenant["api_key"]}).status_code == 403


def test_adding_a_member_does_not_reveal_which_usernames_exist(client, make_user, new_tenant, clinic_admin_of):
    """Unknown users, users of another role and other clinics' administrators get one identical answer."""
    tenant, elsewhere = new_tenant(), new_tenant()
    admin = clinic_admin_of(tenant)
    doctor, _ = make_user("doctor")
    other_admin, _ = make_user("clinic_admin")
    members = f"/api/v1/review/tenants/{tenant['id']}/members"
    assert client.post(f"/api/v1/review/tenants/{elsewhere['id']}/members", headers=new_tenant.operator_headers,
                       json={"username": other_admin.username, "role": "clinic_admin"}).status_code == 201

    def answer(username: str, role: str, headers) -> tuple:
        response = client.post(members, json={"username": username, "role": role}, headers=headers)
        return response.status_code, response.json()["code"], response.json()["detail"].replace(username, "<user>")

    unknown = answer("nobody-such-user", "pharmacist", admin)
    assert unknown[:2] == (422, "member-not-addable")
    assert answer(doctor.username, "pharmacist", admin) == unknown
    platform = new_tenant.operator_headers  # only the platform appoints clinic admins
    assert answer(other_admin.username, "clinic_admin", platform) == answer("nobody-else", "clinic_admin", platform)
    assert answer(other_admin.username, "clinic_admin", platform)[:2] == (422, "member-not-addable")


def test_webhook_urls_must_be_http_urls(client, new_tenant):
    response = client.post("/api/v1/review/tenants", json={"code": "badhook", "name": "坏地址诊所",
                                                           "webhook_url": "ftp://example.org/x"},
                           headers=new_tenant.operator_headers)
    assert response.status_code == 422 and response.json()["code"] == "webhook-url-invalid"


def test_overrides_change_the_verdict_but_never_go_below_the_legal_floor(client, new_tenant, clinic_admin_of):
    tenant = new_tenant()
    admin = clinic_admin_of(tenant)
    base = f"/api/v1/review/tenants/{tenant['id']}/overrides"
    lowered = client.put(f"{base}/FORMAT-DAYS-EXCEEDED", json={"severity": "info"}, headers=admin)
    assert lowered.status_code == 422 and lowered.json()["code"] == "override-below-floor"
    banned = client.put(f"{base}/BANNED-SPECIAL", json={"disabled": True}, headers=admin)
    assert banned.status_code == 422 and "BANNED-SPECIAL" in banned.json()["detail"]
    raised = client.put(f"{base}/FORMAT-DAYS-EXCEEDED", json={"severity": "block"}, headers=admin)
    assert raised.status_code == 200
    assert _review(client, tenant["api_key"], DAYS_WARN_REQUEST).json()["verdict"] == "reject"
    assert client.delete(f"{base}/FORMAT-DAYS-EXCEEDED", headers=admin).status_code == 204
    assert _review(client, tenant["api_key"], DAYS_WARN_REQUEST).json()["verdict"] == "review"
    assert client.put(f"{base}/NO-SUCH-RULE", json={"disabled": True}, headers=admin).status_code == 404


def test_disabling_a_lowerable_rule_silences_it_for_that_tenant_only(client, new_tenant, clinic_admin_of):
    tenant, other = new_tenant(), new_tenant()
    admin = clinic_admin_of(tenant)
    client.put(f"/api/v1/review/tenants/{tenant['id']}/overrides/LEGAL-NOT-CHECKED", json={"disabled": True},
               headers=admin)
    mine = _review(client, tenant["api_key"]).json()["findings"]
    theirs = _review(client, other["api_key"]).json()["findings"]
    assert "LEGAL-NOT-CHECKED" not in {f["rule"] for f in mine}
    assert "LEGAL-NOT-CHECKED" in {f["rule"] for f in theirs}
