import pytest

from healthhub.identity.roles import ROLE_LABELS, Role
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", list(Role))
def test_every_role_logs_in_and_sees_its_home(new_page, role):
    page = new_page()
    login(page, f"demo_{role.value}")
    assert page.get_by_test_id("home-title").inner_text() == f"{ROLE_LABELS[role]}工作台"
    assert "（" + ROLE_LABELS[role] + "）" in page.get_by_test_id("current-user").inner_text()
    screenshot(page, f"home-{role.value}")


def test_wrong_password_shows_a_readable_error(new_page):
    page = new_page()
    page.goto("/login")
    page.fill("input[name=username]", "demo_doctor")
    page.fill("input[name=password]", "wrong-password1")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.get_by_test_id("login-error").inner_text()


def test_pages_redirect_anonymous_visitors_to_login(new_page):
    page = new_page()
    page.goto("/home")
    assert "/login" in page.url


def test_layout_is_usable_on_a_phone(new_page):
    page = new_page(viewport=(375, 740))
    login(page, "demo_patient")
    page.click(".nav-toggle")
    assert page.locator(".mainnav").is_visible()
    screenshot(page, "home-patient-mobile")
