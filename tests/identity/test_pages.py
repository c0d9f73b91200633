from tests.factories import TEST_PASSWORD


def _page_login(client, username):
    return client.post("/login", data={"username": username, "password": TEST_PASSWORD, "next": "/home"},
                       follow_redirects=False)


def test_login_sets_an_http_only_session_cookie_and_home_greets_the_role(client, make_user):
    user, _ = make_user("pharmacist")
    response = _page_login(client, user.username)
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
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD,
                                           "next": "//evil.example/steal"}, follow_redirects=False)
    assert response.headers["location"] == "/home"


def test_cookie_sessions_need_the_csrf_token_for_writes(client, make_user):
    user, _ = make_user("patient")
    _page_login(client, user.username)
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf-failed"
    token = client.get("/home").text.split('name="csrf-token" content="')[1].split('"')[0]
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me").status_code == 401  # session revoked server-side


def test_failed_page_login_shows_the_reason(client):
    response = client.post("/login", data={"username": "ghost", "password": "Wrong1234"})
    assert response.status_code == 401 and "用户名或密码错误" in response.text
