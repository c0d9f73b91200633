from datetime import UTC, datetime, timedelta

import jwt
import pytest

from healthhub.core.config import get_settings
from healthhub.core.security import JWT_ALGORITHM, create_token
from tests.factories import TEST_PASSWORD, pid

PROBLEM = "application/problem+json"


def _login(client, username, password=TEST_PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_login_returns_tokens_that_identify_the_user(client, make_user):
    user, _ = make_user("doctor", mobile="13700001111")
    response = _login(client, user.username)
    assert response.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "doctor" and me.json()["mobile_masked"] == "137****1111"
    assert me.json()["id"] == pid(user.id)  # the public id, never the sequential key


def test_anonymous_gets_401_problem(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401 and body["code"] == "unauthenticated" and body["type"].endswith("unauthenticated")


def test_wrong_role_gets_403_not_401(client, make_user):
    _, headers = make_user("patient")
    response = client.get("/api/v1/users", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden-role"


def test_admin_may_list_and_create_users_with_pagination(client, make_user):
    _, headers = make_user("admin")
    for _ in range(3):
        make_user("nurse")
    page = client.get("/api/v1/users", params={"role": "nurse", "size": 2}, headers=headers).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    created = client.post("/api/v1/users", headers=headers, json={
        "username": "new_pharmacist", "display_name": "新药师", "role": "pharmacist", "password": "Strong-pass-2026"})
    assert created.status_code == 201 and created.json()["role"] == "pharmacist"


def test_validation_errors_name_the_fields(client, make_user):
    _, headers = make_user("admin")
    response = client.post("/api/v1/users", headers=headers, json={
        "username": "x", "display_name": "", "role": "wizard", "password": "short", "id_number": "110105194912310021"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"username", "display_name", "role", "id_number"} <= fields
    assert "Traceback" not in response.text


def test_expired_or_forged_tokens_are_401(client, make_user):
    user, _ = make_user("patient")
    expired = create_token(str(user.id), "access", timedelta(seconds=-1), role="patient")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}).json()["code"] == "token-expired"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.token"}).status_code == 401
    refresh = create_token(str(user.id), "refresh", timedelta(minutes=5))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {refresh}"}).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(client, make_user):
    user, _ = make_user("merchant")
    first = _login(client, user.username).json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and replay.json()["code"] == "token-reused"
    # The thief's reuse also ends the legitimate successor.
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
    assert after.status_code == 401


def test_unknown_route_is_a_problem_not_a_stack_trace(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404 and response.headers["content-type"].startswith(PROBLEM)


def _signed(claims: dict) -> str:
    now = datetime.now(UTC)
    payload = {"typ": "access", "iat": now, "exp": now + timedelta(minutes=5), "jti": "j1", **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, get_settings().secret_key,
                      algorithm=JWT_ALGORITHM)


@pytest.mark.parametrize("claims", [
    {"sub": "abc"}, {"sub": ""}, {"sub": " 1"}, {"sub": "1.5"}, {"sub": "-1"}, {"sub": "٣"},
    {"sub": "99999999999999999999999"}, {"sub": None}, {"sub": 1}, {"sub": "1", "jti": None},
    {"sub": "1", "exp": "tomorrow"}, {"sub": "1", "iat": "yesterday"}, {"sub": "1", "typ": ["access"]},
], ids=lambda claims: ",".join(f"{k}={v!r}" for k, v in claims.items()))
def test_malformed_claims_in_a_signed_token_are_401_not_500(client, claims):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {_signed(claims)}"})
    assert response.status_code == 401, response.text
    assert response.json()["code"] in {"bad-token", "token-expired"}


def test_a_well_formed_token_for_a_missing_user_is_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {_signed({'sub': '987654321'})}"})
    assert response.status_code == 401 and response.json()["code"] == "account-disabled"
