"""Admission control: a process takes on no more requests at once than it has database connections.

Without it a rush queues in the threadpool (40 threads) behind the pool (pool_size + max_overflow
connections): every queued request holds a thread while it waits, requests that already hold a
connection wait for a thread to finish on, and the queue drains minutes later. Here a surplus request
waits briefly for a slot, on the event loop where waiting costs nothing, and otherwise gets an
immediate 503 with Retry-After. A slot is held until the response starts: the request's transaction
is committed by then (DbSession), so a long stream (chat SSE) does not keep one.
"""
import logging

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from healthhub.core.error_codes import ErrorCode
from healthhub.core.errors import ServiceBusy, problem

log = logging.getLogger("healthhub.overload")

# No database work behind these: they must answer however busy the process is.
EXEMPT_PREFIXES = ("/healthz", "/metrics", "/static/")


class AdmissionLimit:
    """Pure ASGI middleware; `limit` requests in flight, a surplus one waits up to `wait_seconds`."""

    def __init__(self, app: ASGIApp, *, limit: int, wait_seconds: float):
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._slots: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made on first use, inside the server's event loop
            self._slots = anyio.Semaphore(self.limit)
        slots = self._slots
        with anyio.move_on_after(self.wait_seconds) as waited:
            await slots.acquire()
        if waited.cancelled_caught:
            await self._refuse(scope, receive, send)
            return
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                slots.release()

        async def send_and_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            release()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        busy = ServiceBusy("服务繁忙，请稍后重试 / the server is busy, please retry shortly", code=ErrorCode.SERVER_BUSY)
        log.warning("admission refused %s %s: %d requests in flight", scope["method"], scope["path"], self.limit)
        response = problem(busy.status, busy.title, busy.detail, busy.code, scope["path"], busy.retry_after)
        await response(scope, receive, send)
