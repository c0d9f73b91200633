"""Acceptance crawl (issue 10): every demo role follows the same-origin links of its navigation and of every page
it reaches, and no page may answer a server error, raw JSON, a UTC time or an English-only sentence."""
import re
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from healthhub.identity.roles import Role
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

MAX_PAGES_PER_ROLE = 60
# Addresses with the same shape (ids replaced, query keys only) are one kind of page: two of each are enough.
VISITS_PER_SHAPE = 2
# Not pages: machine interfaces, files, and the way out (logging out would end the crawl).
SKIPPED_PREFIXES = ("/api/", "/fhir/", "/static/", "/docs", "/openapi.json", "/metrics", "/healthz", "/readyz",
                    "/logout")
FILE_SUFFIX = re.compile(r"\.(csv|json|png|jpe?g|pdf|svg|txt|xml)$")
# What a page must never print: an ISO time with its "T", an explicit UTC offset, or the word UTC.
UTC_LOOKING = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|T\d\d:\d\d:\d\d|\d\d:\d\d(:\d\d)?(\.\d+)?(Z\b|\+00:?00)|\bUTC\b")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# A word of a sentence: letters only, once the punctuation around it is stripped ("AGE-NOT-CHECKED", demo_doctor
# and hex ids are codes, not words).
ENGLISH_WORD = re.compile(r"[A-Za-z]+")
# Proper names (a foreign manufacturer, a drug's English name under its 英文名 label) are marked translate="no"
# in the templates, as HTML marks text that must stay as written, and are not read as sentences.
# Words that stay Latin in Chinese UI: our brand, standards and code systems people know by these names, and
# units. They are not counted as English words, so "HealthHub · FHIR R4" is no sentence.
LATIN_IN_CHINESE_UI = frozenset({
    "HealthHub", "FHIR", "HL7", "API", "ATC", "ICD", "NHSA", "OTC", "Rx", "SKU", "SM2", "SM3", "SM4", "FEFO",
    "mg", "ml", "mL", "kg", "km", "IU", "g",
})

VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!element || element.closest("script, style, noscript, template, [translate=no]") || !element.getClientRects().length) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
    if (text) texts.push(text);
  }
  document.querySelectorAll("[placeholder]").forEach((field) => {
    if (field.getClientRects().length) texts.push(field.getAttribute("placeholder"));
  });
  return texts;
}"""
LINKS = """() => [...document.querySelectorAll("a[href]:not([download])")].map((link) => link.href)"""


def page_shape(path: str, query: str) -> str:
    segments = ["{id}" if segment and not re.fullmatch(r"[a-z][a-z-]*", segment) else segment for segment in path.split("/")]
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return "/".join(segments) + "?" + "&".join(keys)


def english_only(text: str) -> bool:
    tokens = (token.strip(".,:;!?()\"'") for token in text.split())
    words = [token for token in tokens if ENGLISH_WORD.fullmatch(token) and token not in LATIN_IN_CHINESE_UI]
    return len(words) >= 3 and not CJK.search(text)


def crawl(page, origin: str) -> tuple[list[str], list[str]]:
    """Visits pages breadth first from the navigation; returns (visited URLs, problems found)."""
    queue = ["/home"] + page.eval_on_selector_all(".mainnav a[href]", "links => links.map((l) => l.href)")
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    visited, problems = [], []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        url = urldefrag(queue.pop(0)).url
        parts = urlsplit(url if url.startswith("http") else origin + url)
        if parts.netloc != urlsplit(origin).netloc or parts.path.startswith(SKIPPED_PREFIXES) \
                or FILE_SUFFIX.search(parts.path):
            continue
        address = parts.path + ("?" + parts.query if parts.query else "")
        shape = page_shape(parts.path, parts.query)
        if address in seen or shapes.get(shape, 0) >= VISITS_PER_SHAPE:
            continue
        seen.add(address)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = page.goto(address)
        settle(page)
        visited.append(address)
        problems.extend(f"{address}: {problem}" for problem in page_problems(page, response))
        if response.ok:
            queue.extend(page.evaluate(LINKS))
    return visited, problems


def settle(page) -> None:
    """Lets page scripts finish filling the page from the API; a page holding a chat stream open never goes
    quiet, so it is read after a short wait."""
    try:
        page.wait_for_load_state("networkidle", timeout=2_000)
    except PlaywrightTimeout:
        pass


def page_problems(page, response) -> list[str]:
    found = []
    if response.status >= 500:
        found.append(f"server error {response.status}")
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("text/html"):
        found.append(f"not a page: {content_type}")
        return found
    texts = page.evaluate(VISIBLE_TEXT)
    found += [f"UTC-looking time: {text!r}" for text in texts if UTC_LOOKING.search(text)]
    found += [f"English-only text: {text!r}" for text in texts if english_only(text)]
    return found


def test_the_heuristics_catch_what_they_should():
    assert UTC_LOOKING.search("2026-12-01T07:30:00+00:00") and UTC_LOOKING.search("签名时间 07:30 UTC")
    assert not UTC_LOOKING.search("2026-12-01 15:30")
    assert english_only("Input should be greater than 0")
    assert not english_only("输入必须大于 0 / Input should be greater than 0")
    assert not english_only("HealthHub FHIR R4 API") and not english_only("0.25 g × 24")
    assert not english_only("AGE-NOT-CHECKED demo_clinic_admin 1298f34062e6fa4e")
    assert page_shape("/orders/Xk3p9Q", "page=2&status=paid") == "/orders/{id}?page&status"


@pytest.mark.parametrize("role", list(Role))
def test_no_page_shows_json_english_only_text_or_utc_times(new_page, live_server, role):
    page = new_page()
    login(page, f"demo_{role.value}")
    visited, problems = crawl(page, live_server)
    assert visited[0] == "/home"
    assert problems == [], "\n".join(problems)


def test_an_unknown_address_is_a_chinese_page(new_page):
    page = new_page()
    login(page, "demo_patient")
    response = page.goto("/no-such-page")
    assert response.status == 404 and response.headers["content-type"].startswith("text/html")
    assert "页面不存在" in page.inner_text("main")


def test_the_api_docs_render_offline_under_the_page_policy(new_page, live_server):
    page = new_page()
    external = []
    page.on("request", lambda request: None if request.url.startswith(live_server) else external.append(request.url))
    page.goto("/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert external == []
