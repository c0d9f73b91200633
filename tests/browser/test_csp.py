"""The Content-Security-Policy in a real browser: every menu page of every role loads without a single CSP
violation (no inline script or handler left), and the policy really blocks inline script."""
import pytest

from healthhub.identity.roles import Role
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

# Records `securitypolicyviolation` events, which also catch what never reaches the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _visit(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response.ok, f"{path}: {response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    return [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]


@pytest.mark.parametrize("role", [Role.PATIENT, Role.DOCTOR, Role.PHARMACIST, Role.MERCHANT, Role.OPERATOR,
                                  Role.CLINIC_ADMIN])
def test_every_menu_page_loads_without_a_csp_violation(new_page, role):
    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, f"demo_{role.value}")
    menu = page.locator(".mainnav a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    assert menu, "the role has a menu"
    violations = [v for path in ["/home", *menu] for v in _visit(page, path)]
    assert violations == []


def test_anonymous_shop_and_product_pages_load_without_a_csp_violation(new_page):
    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    violations = _visit(page, "/login") + _visit(page, "/shop")
    product = page.locator("a[href^='/shop/products/']").first.get_attribute("href")
    assert violations + _visit(page, product) == []


def test_the_policy_blocks_inline_script_and_the_check_sees_it(browser, live_server):
    """Proves the two checks above can fail: an injected inline script is refused and reported."""
    context = browser.new_context(base_url=live_server)
    try:
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto("/login")
        with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
            page.evaluate("""() => { const s = document.createElement("script");
                                     s.textContent = "window.injected = true"; document.body.appendChild(s); }""")
        assert page.evaluate("window.injected === undefined")
        # Not wait_for_function: it evaluates a string in the page, which this very policy forbids.
        for _ in range(50):
            if page.evaluate("window.__cspViolations.length"):
                break
            page.wait_for_timeout(100)
        assert "script-src" in page.evaluate("window.__cspViolations[0]")
    finally:
        context.close()
