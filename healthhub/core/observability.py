"""JSON logs with request ids, Prometheus metrics, and the request-context middleware."""
import ipaddress
import json
import logging
import sys
import time
import traceback
import uuid
from functools import lru_cache

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from healthhub.core.config import get_settings
from healthhub.core.context import client_ip_var, request_id_var

REQUESTS = Counter("healthhub_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("healthhub_http_request_seconds", "HTTP request latency", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
log = logging.getLogger("healthhub.http")


# Libraries that write SQL parameters, request lines with query strings, form fields or message
# bodies at INFO or DEBUG: they stay at WARNING whatever level the operator asks for.
VALUE_ECHOING_LOGGERS = ("sqlalchemy", "uvicorn.access", "httpx", "httpcore", "python_multipart", "multipart",
                         "websockets")


def value_free_traceback(exc_info) -> str:
    """A traceback with exception types and frames but no messages: a database error quotes its SQL
    parameters and a violated key, a pydantic error the input it refused, and either may be an ID
    number, a mobile or a chat message. The request id in the same log line leads to the rest."""
    return "\n".join(_outline(traceback.TracebackException(*exc_info)))


def _outline(exc: traceback.TracebackException) -> list[str]:
    lines = []
    if exc.__cause__ is not None:
        lines += [*_outline(exc.__cause__), "The above exception was the direct cause of the following exception:"]
    elif exc.__context__ is not None and not exc.__suppress_context__:
        lines += [*_outline(exc.__context__), "During handling of the above exception, another exception occurred:"]
    name = f"{exc.exc_type.__module__}.{exc.exc_type.__qualname__}" if exc.exc_type else "unknown"
    # File, line and function only: the source line could hold a literal value, the code is in the repository.
    lines += ["Traceback (most recent call last):",
              *(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}' for frame in exc.stack),
              f"{name} (message withheld from logs)"]
    for index, member in enumerate(exc.exceptions or [], start=1):
        lines += [f"[group member {index}]", *_outline(member)]
    return lines


class ValueFreeFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802  (logging's name)
        return value_free_traceback(ei)

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None  # never reuse a rendering another formatter made, messages included
        return super().format(record)


class JsonFormatter(ValueFreeFormatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "msg": record.getMessage(), "request_id": request_id_var.get()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str, as_json: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else ValueFreeFormatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in VALUE_ECHOING_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def is_trusted_peer(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, networks: tuple[Network, ...]) -> str | None:
    """Who sent the request: the one place the client address is decided (logs, audit, login throttles).

    X-Forwarded-For is believed only when the direct peer is a trusted proxy, since any client can write
    the header. Each proxy appends the address it got the request from, so walking from the right past
    trusted proxies, the first address that is not one is the client; what lies left of it is the
    client's own claim. A hop that is not an IP address ends the walk at the proxy that reported it.
    """
    if peer is None or not forwarded_for or not is_trusted_peer(peer, networks):
        return peer
    address = peer
    for hop in reversed(forwarded_for.split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        address = hop
        if not is_trusted_peer(hop, networks):
            break
    return address


class RequestContextMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next) -> Response:
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        request.state.request_id = request_id
        rid_token = request_id_var.set(request_id)
        networks = trusted_networks(tuple(get_settings().trusted_proxies))
        ip_token = client_ip_var.set(client_address(request.client.host if request.client else None,
                                                    ",".join(request.headers.getlist("x-forwarded-for")), networks))
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["X-Request-ID"] = request_id
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(request.scope.get("route"), "path", "unmatched")
            REQUESTS.labels(request.method, route, str(status)).inc()
            LATENCY.labels(request.method, route).observe(elapsed)
            log.info("%s %s %s", request.method, request.url.path, status,
                     extra={"fields": {"method": request.method, "path": request.url.path, "status": status,
                                       "ms": round(elapsed * 1000, 1), "route": route}})
            request_id_var.reset(rid_token)
            client_ip_var.reset(ip_token)


def metrics_response() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
