"""Security headers on every response: API, pages, errors, static files, streams.

A pure ASGI middleware (not BaseHTTPMiddleware): it only adds headers to `http.response.start` and
passes every body chunk through untouched, so server-sent events (consultation chat) keep streaming.

The Content-Security-Policy allows no inline script: page code lives in static/ and server data reaches
it through data-* attributes or `<script type="application/json">` blocks (data, never executed). Style
attributes stay allowed (`style-src-attr`): they cannot run code, and a bar's width is data. The API docs
(/docs) live under the same policy: Swagger UI is served from our origin and started by static/docs.js.
A response that sets its own header keeps it.
"""
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from healthhub.core.observability import is_trusted_peer, trusted_networks

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
                           "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:; "
                           "style-src 'self'; style-src-attr 'unsafe-inline'; connect-src 'self'")
# The shop's "near me" asks for the location; no page needs any other device feature.
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """`trusted_proxies` (IPs / CIDRs): peers whose `X-Forwarded-Proto: https` counts as TLS for HSTS."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str] = ()):
        self.app = app
        self.proxies = trusted_networks(tuple(trusted_proxies))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = self._over_tls(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                for name, value in STATIC_HEADERS.items():
                    headers.setdefault(name, value)
                # HSTS over plain HTTP is ignored by browsers and would pin a demo on 127.0.0.1 to https.
                if over_tls:
                    headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _over_tls(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        peer = (scope.get("client") or (None,))[0]
        if not peer or not is_trusted_peer(peer, self.proxies):
            return False
        # The proxy nearest to us appends last: its word is the one we can believe.
        forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
        return forwarded.rsplit(",", 1)[-1].strip().lower() == "https"
