from tests.factories import TEST_PASSWORD, page_login


def _form_token(client) -> str:
    return client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]


def test_login_sets_an_http_only_session_cookie_and_home_greets_the_role(client, make_user):
    user, _ = make_user("pharmacist")
    response = page_login(client, user.username)
    assert response.status_code == 303 and response.headers["location"] == "/home"
    cookie = response.headers["set-cookie"]
    assert "hh_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    home = client.get("/home")
    assert home.status_code == 200 and "药师工作台" in home.text


def test_pages_redirect_anonymous_users_to_login(client):
    response = client.get("/home", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/home")


def test_open_redirects_are_refused(client, make_user):
    user, _ = make_user("patient")
    response = page_login(client, user.username, next="//evil.example/steal")
    assert response.headers["location"] == "/home"


def test_cookie_sessions_need_the_csrf_token_for_writes(client, make_user):
    user, _ = make_user("patient")
    page_login(client, user.username)
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf-failed"
    token = client.get("/home").text.split('name="csrf-token" content="')[1].split('"')[0]
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me").status_code == 401  # session revoked server-side


def test_failed_page_login_shows_the_reason(client):
    response = page_login(client, "ghost", password="Wrong-pass-1234")
    assert response.status_code == 401 and "用户名或密码错误" in response.text


def test_the_login_form_carries_a_csrf_token_bound_to_a_cookie(client):
    response = client.get("/login")
    cookie = response.headers["set-cookie"]
    assert "hh_login_csrf=" in cookie and "HttpOnly" in cookie and "Path=/login" in cookie
    assert len(_form_token(client)) == 64


def test_a_login_post_without_the_form_token_is_refused(client, make_user):
    user, _ = make_user("patient")
    _form_token(client)  # the browser holds the cookie, but a forged cross-site form cannot know the token
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "0" * 64}):
        response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD, **data},
                               follow_redirects=False)
        assert response.status_code == 403 and "页面已过期或来自其他网站" in response.text
        assert "hh_session=" not in response.headers.get("set-cookie", "")
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_from_another_browser_is_refused(app, client, make_user):
    """An attacker can load the form himself, but his token only matches his own cookie."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    user, _ = make_user("patient")
    attacker_token = _form_token(client)
    with TestClient(app) as victim:
        _form_token(victim)
        response = victim.post("/login", data={"username": user.username, "password": TEST_PASSWORD,
                                               "csrf_token": attacker_token}, follow_redirects=False)
    assert response.status_code == 403


def test_after_a_refused_post_the_form_works_again(client, make_user):
    user, _ = make_user("patient")
    refused = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD},
                          follow_redirects=False)
    assert refused.status_code == 403
    token = refused.text.split('name="csrf_token" value="')[1].split('"')[0]
    retried = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD,
                                          "csrf_token": token}, follow_redirects=False)
    assert retried.status_code == 303
