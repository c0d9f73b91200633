"""A browser meets errors as pages in Chinese; API clients keep problem+json."""
from healthhub.identity.roles import Role
from tests.factories import page_login

HTML = {"Accept": "text/html,application/xhtml+xml"}


def test_an_unknown_address_is_a_chinese_html_page_for_browsers(client):
    response = client.get("/no-such-page", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "页面不存在" in response.text and "返回首页" in response.text


def test_an_unknown_api_address_stays_problem_json(client):
    response = client.get("/api/v1/no-such-thing", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_forbidden_page_names_the_roles_in_chinese(client, make_user):
    user, _ = make_user(Role.PATIENT)
    page_login(client, user.username)
    response = client.get("/inventory/operations", headers=HTML)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "需要：系统管理员、运营" in response.text
    assert "需要：admin" not in response.text


def test_the_api_docs_work_offline_from_the_installed_swagger_ui(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text and "<script>" not in page.text
    for asset in ("/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css", "/static/docs.js"):
        assert asset in page.text
        assert client.get(asset).status_code == 200


def test_pages_carry_a_favicon(client):
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/login").text
    assert client.get("/static/favicon.svg").headers["content-type"].startswith("image/svg+xml")
