"""Security headers on every kind of response, HSTS only over TLS, streams still stream, and no template
carries inline script the Content-Security-Policy would block."""
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from healthhub.core.headers import CONTENT_SECURITY_POLICY, SecurityHeadersMiddleware

PACKAGE = Path(__file__).resolve().parents[2] / "healthhub"


def _assert_hardened(response) -> None:
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'self'",
                      "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers  # plain HTTP


@pytest.mark.parametrize("path, accept, status", [
    ("/healthz", "application/json", 200),               # API
    ("/login", "text/html", 200),                        # page
    ("/shop", "text/html", 200),                         # page with data
    ("/api/v1/no-such-thing", "application/json", 404),  # problem+json error
    ("/no-such-page", "text/html", 404),                 # HTML error
    ("/static/app.js", "*/*", 200),                      # static file
])
def test_every_kind_of_response_carries_the_headers(client, path, accept, status):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == status
    _assert_hardened(response)


def test_the_api_docs_live_under_the_same_policy(client):
    assert client.get("/docs").headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def _tiny_app(trusted_proxies=()):
    async def chunks():
        for n in range(3):
            yield f"data: {n}\n\n"

    async def stream(request):
        return StreamingResponse(chunks(), media_type="text/event-stream")

    async def own_policy(request):
        return PlainTextResponse("x", headers={"Content-Security-Policy": "default-src 'none'"})

    app = Starlette(routes=[Route("/stream", stream), Route("/own", own_policy)])
    app.add_middleware(SecurityHeadersMiddleware, trusted_proxies=trusted_proxies)
    return app


def test_streams_pass_through_with_the_headers():
    with TestClient(_tiny_app()) as client, client.stream("GET", "/stream") as response:
        assert response.headers["x-frame-options"] == "DENY"
        assert list(response.iter_lines()) == ["data: 0", "", "data: 1", "", "data: 2", ""]


def test_a_response_with_its_own_policy_keeps_it():
    with TestClient(_tiny_app()) as client:
        assert client.get("/own").headers["content-security-policy"] == "default-src 'none'"


def test_hsts_only_over_tls_or_from_a_trusted_proxy():
    with TestClient(_tiny_app(), base_url="https://testserver") as tls:
        assert tls.get("/own").headers["strict-transport-security"].startswith("max-age=31536000")
    forwarded = {"X-Forwarded-Proto": "https"}
    with TestClient(_tiny_app()) as direct:  # any client may write the header: not believed
        assert "strict-transport-security" not in direct.get("/own", headers=forwarded).headers
    # The peer poses as the trusted proxy on 127.0.0.1: its X-Forwarded-Proto is believed.
    with TestClient(_tiny_app(trusted_proxies=["127.0.0.1"]), client=("127.0.0.1", 5000)) as proxied:
        assert "strict-transport-security" in proxied.get("/own", headers=forwarded).headers
        assert "strict-transport-security" not in proxied.get("/own", headers={"X-Forwarded-Proto": "http"}).headers


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


@pytest.mark.parametrize("template", sorted(PACKAGE.glob("**/templates/*.html")), ids=lambda p: p.name)
def test_templates_hold_no_inline_script_or_style_element(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "move the script into healthhub/static/pages/"
    assert not INLINE_HANDLER.search(text), "bind the handler in the page's static script"
    assert not STYLE_ELEMENT.search(text), "move the rules into static/app.css"
