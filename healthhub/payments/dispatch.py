"""Asynchronous delivery of the sandbox provider's signed callbacks.

Callbacks are handed over only after the provider's transaction commits (a rolled-back payment
sends nothing) and are posted by one background thread, like a provider's webhook queue: the
buyer's request never waits for our own callback endpoint. Each send is signed with a fresh
timestamp. What could not be delivered stays in the outbox for `healthhub payments redeliver-callbacks`.
"""
import itertools
import logging
import queue
import threading
import time

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session

from healthhub.core.config import get_settings
from healthhub.core.outbound import DestinationRefused, same_origin
from healthhub.payments.signatures import signed_headers

log = logging.getLogger("healthhub.payments.sandbox")
RETRY_DELAYS = (0.2, 1.0, 3.0)
_PENDING_KEY = "sandbox_callbacks_pending"
_queue: "queue.PriorityQueue[tuple[float, int, str, str, int]]" = queue.PriorityQueue()
_sequence = itertools.count()
_worker_lock = threading.Lock()
_worker: threading.Thread | None = None


def deliver_after_commit(session: Session, target_url: str, body: str) -> None:
    session.info.setdefault(_PENDING_KEY, []).append((target_url, body))


def discard_pending(session: Session) -> None:
    """Drops the callbacks queued in this transaction: for a caller that applied them in-process
    (the demo seed, with no server to post to)."""
    session.info.pop(_PENDING_KEY, None)


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy fires after_commit for a SAVEPOINT release too. Sending then would post a callback
        # for data not yet committed (or later rolled back), and it would wait on the sender's own row locks.
        return
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    _ensure_worker()
    for target_url, body in pending:
        _queue.put((time.monotonic(), next(_sequence), target_url, body, 0))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


def post_signed(target_url: str, body: str, *, client: httpx.Client | None = None) -> int:
    """Signs with the current time and posts once; returns the HTTP status."""
    # Callbacks go to our own callback endpoint only: a target stored from anywhere else (a forged Host
    # header in the past, an edited row) would carry validly signed payment events to any listener.
    if not same_origin(target_url, get_settings().public_url):
        raise DestinationRefused(f"回调地址不是本站 HEALTHHUB_PUBLIC_URL / callback target {target_url} is not "
                                 "our public_url")
    data = body.encode()
    sender = client or httpx
    return sender.post(target_url, content=data, headers=signed_headers(data), timeout=10).status_code


def _attempt(target_url: str, body: str) -> bool:
    """True when finished: delivered, or refused for good (retrying cannot help)."""
    try:
        status = post_signed(target_url, body)
    except DestinationRefused as exc:
        log.warning("sandbox callback refused, left in the outbox: %s", exc)
        return True
    except httpx.HTTPError as exc:
        log.warning("sandbox callback to %s failed: %s", target_url, exc)
        return False
    if status >= 300:
        log.warning("sandbox callback to %s answered %s", target_url, status)
    return status < 300


def _run() -> None:
    # A due-time queue: a failing endpoint is retried later without holding up newer callbacks.
    while True:
        due, seq, target_url, body, attempt = _queue.get()
        wait = due - time.monotonic()
        if wait > 0:
            _queue.put((due, seq, target_url, body, attempt))
            time.sleep(min(wait, 0.05))
            continue
        try:
            if not _attempt(target_url, body):
                if attempt < len(RETRY_DELAYS):
                    _queue.put((time.monotonic() + RETRY_DELAYS[attempt], next(_sequence), target_url, body,
                                attempt + 1))
                else:
                    log.warning("sandbox callback left in the outbox for redelivery")
        except Exception:  # the worker must outlive any single bad callback
            log.exception("sandbox callback delivery crashed")


def _ensure_worker() -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="sandbox-callbacks", daemon=True)
            _worker.start()
