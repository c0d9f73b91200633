from datetime import timedelta

from healthhub.core.security import create_token
from tests.factories import TEST_PASSWORD

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
        "username": "new_pharmacist", "display_name": "新药师", "role": "pharmacist", "password": "Strong123"})
    assert created.status_code == 201 and created.json()["role"] == "pharmacist"


def test_validation_errors_name_the_fields(client, make_user):
    _, headers = make_user("admin")
    response = client.post("/api/v1/users", headers=headers, json={
        "username": "x", "display_name": "", "role": "wizard", "password": "short", "id_number": "110105194912310021"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"username", "display_name", "role", "password", "id_number"} <= fields
    assert "Traceback" not in response.text


def test_expired_or_forged_tokens_are_401(client, make_user):
    user, _ = make_user("patient")
    expired = create_token(str(user.id), "access", timedelta(seconds=-1), role="patient")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}).json()["code"] == "token-expired"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.token"}).status_code == 401
    refresh = create_token(str(user.id), "refresh", timedelta(minutes=5))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {refresh}"}).status_code == 401


def test_repeated_failures_lock_the_account(client, make_user):
    user, _ = make_user("pharmacist")
    for _ in range(5):
        assert _login(client, user.username, "Wrong1234").status_code == 401
    locked = _login(client, user.username)  # even the right password is refused while locked
    assert locked.status_code == 429 and locked.json()["code"] == "account-locked"


def test_unknown_user_and_wrong_password_look_the_same(client, make_user):
    user, _ = make_user("nurse")
    unknown, wrong = _login(client, "nobody_here"), _login(client, user.username, "Wrong1234")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


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
