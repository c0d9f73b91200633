"""Asynchronous delivery of the sandbox provider's signed callbacks.

Callbacks are handed over only after the provider's transaction commits (a rolled-back payment
sends nothing) and are posted by one background thread, like a provider's webhook queue: the
buyer's request never waits for our own callback endpoint. Each send is signed with a fresh
timestamp. What could not be delivered stays in the outbox for `healthhub orders redeliver-callbacks`.
"""
import logging
import queue
import threading
import time

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("healthhub.orders.sandbox")
RETRY_DELAYS = (0.2, 1.0, 3.0)
_PENDING_KEY = "sandbox_callbacks_pending"
_queue: "queue.Queue[tuple[str, str]]" = queue.Queue()
_worker_lock = threading.Lock()
_worker: threading.Thread | None = None


def deliver_after_commit(session: Session, target_url: str, body: str) -> None:
    session.info.setdefault(_PENDING_KEY, []).append((target_url, body))


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    _ensure_worker()
    for item in pending:
        _queue.put(item)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


def post_signed(target_url: str, body: str, *, client: httpx.Client | None = None) -> int:
    """Signs with the current time and posts once; returns the HTTP status."""
    from healthhub.orders.payments.sandbox import signed_headers  # noqa: PLC0415  (sandbox imports this module)

    data = body.encode()
    sender = client or httpx
    return sender.post(target_url, content=data, headers=signed_headers(data), timeout=10).status_code


def _deliver(target_url: str, body: str) -> None:
    for delay in (*RETRY_DELAYS, None):
        try:
            status = post_signed(target_url, body)
            if status < 300:
                return
            log.warning("sandbox callback to %s answered %s", target_url, status)
        except httpx.HTTPError as exc:
            log.warning("sandbox callback to %s failed: %s", target_url, exc)
        if delay is None:
            log.warning("sandbox callback left in the outbox for redelivery")
            return
        time.sleep(delay)


def _run() -> None:
    while True:
        target_url, body = _queue.get()
        try:
            _deliver(target_url, body)
        except Exception:  # noqa: BLE001  (the worker must outlive any single bad callback)
            log.exception("sandbox callback delivery crashed")
        finally:
            _queue.task_done()


def _ensure_worker() -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="sandbox-callbacks", daemon=True)
            _worker.start()
