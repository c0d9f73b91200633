"""Outcome webhooks for tenants: an outbox written in the deciding transaction, a worker that sends.

Each delivery is signed `X-HealthHub-Signature: t=<unix>,v1=<hex>` where hex is
HMAC-SHA256(secret, f"{t}.{body}"): the timestamp lets receivers refuse replays, the body bytes are
stored so every retry signs and sends exactly the same event. Failures are retried with
exponential backoff until MAX_ATTEMPTS, then the delivery is marked dead (visible on the page). A URL that
points inside our network (see core/outbound.py) is dead at once, with the reason: retrying cannot help.
"""
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core import outbound
from healthhub.core.config import get_settings
from healthhub.core.db import utcnow
from healthhub.core.public_ids import encode
from healthhub.review.models import ReviewRecord, Tenant, WebhookAttempt, WebhookDelivery

SIGNATURE_HEADER = "X-HealthHub-Signature"
EVENT_HEADER = "X-HealthHub-Event"
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
REQUEST_TIMEOUT_SECONDS = 10.0
DEFAULT_TOLERANCE_SECONDS = 300


def backoff_delay(attempts_made: int) -> timedelta:
    """Wait before the next try after `attempts_made` failures: 30 s, 1 min, 2 min, 4 min ... capped at 1 h."""
    return min(BASE_DELAY * (2 ** max(0, attempts_made - 1)), MAX_DELAY)


def signature_header(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: str, *, now: int | None = None,
                     tolerance: int = DEFAULT_TOLERANCE_SECONDS) -> bool:
    """What a receiving clinic runs (documented on the tenant page); used by our tests too."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else int(time.time())) - timestamp) > tolerance:
        return False
    expected = signature_header(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def enqueue(session: Session, *, tenant: Tenant, event_type: str, data: dict, review_id: int | None) -> \
        WebhookDelivery | None:
    """Adds an event to the outbox; None when the tenant has no webhook configured."""
    if not tenant.webhook_url:
        return None
    event_id = uuid.uuid4().hex
    now = utcnow()
    body = json.dumps({"id": event_id, "type": event_type, "created_at": now.isoformat(), "tenant": tenant.code,
                       "data": data}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    delivery = WebhookDelivery(tenant_id=tenant.id, review_id=review_id, event_id=event_id, event_type=event_type,
                               url=tenant.webhook_url, body=body, status="pending", next_attempt_at=now)
    session.add(delivery)
    session.flush()
    return delivery


@dataclass(frozen=True)
class DeliveryRun:
    attempted: int
    delivered: int
    retrying: int
    dead: int


def _due(session: Session, now: datetime, limit: int) -> Iterable[WebhookDelivery]:
    query = (select(WebhookDelivery).where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
             .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))
    # Several workers may run: each takes rows the others have not locked (PostgreSQL; SQLite serialises).
    return session.execute(query.with_for_update(skip_locked=True)).scalars().all()


def _send(http_client: httpx.Client, delivery: WebhookDelivery, secret: str) -> tuple[int | None, str | None, bool]:
    """(status code, error, whether a retry can help). The URL is checked again here, after DNS resolution:
    a stored URL may predate the rules, have been written around them, or its name may now resolve inward."""
    headers = {"Content-Type": "application/json; charset=utf-8", EVENT_HEADER: delivery.event_type,
               "X-HealthHub-Delivery": delivery.event_id,
               SIGNATURE_HEADER: signature_header(secret, int(time.time()), delivery.body)}
    try:
        outbound.check_url(delivery.url, allowed_hosts=get_settings().webhook_allowed_hosts)
        response = http_client.post(delivery.url, content=delivery.body.encode(), headers=headers,
                                    timeout=REQUEST_TIMEOUT_SECONDS)
    except outbound.DestinationRefused as exc:
        return None, f"refused: {exc}"[:300], False
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300], True
    if 200 <= response.status_code < 300:
        return response.status_code, None, False
    return response.status_code, f"HTTP {response.status_code}", True


def deliver_due_webhooks(session: Session, *, now: datetime | None = None, http_client: httpx.Client,
                         limit: int = 100) -> DeliveryRun:
    """Sends every due delivery once. `now` decides what is due and when retries are scheduled.
    Pass `outbound.public_only_client(...)` (as the job does) so the address checked is the one connected to."""
    now = now or utcnow()
    delivered = retrying = dead = attempted = 0
    for delivery in _due(session, now, limit):
        tenant = session.get(Tenant, delivery.tenant_id)
        attempted += 1
        started = time.perf_counter()
        if tenant is None or not tenant.webhook_secret:
            status_code, error, retryable = None, "tenant has no webhook secret", True
        else:
            status_code, error, retryable = _send(http_client, delivery, tenant.webhook_secret)
        delivery.attempts += 1
        session.add(WebhookAttempt(delivery_id=delivery.id, attempt=delivery.attempts, attempted_at=now,
                                   status_code=status_code, error=error,
                                   duration_ms=int((time.perf_counter() - started) * 1000)))
        delivery.last_status_code, delivery.last_error = status_code, error
        if error is None:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
            delivered += 1
        elif delivery.attempts >= MAX_ATTEMPTS or not retryable:
            delivery.status, delivery.next_attempt_at = "dead", None
            dead += 1
        else:
            delivery.next_attempt_at = now + backoff_delay(delivery.attempts)
            retrying += 1
        session.flush()
    return DeliveryRun(attempted=attempted, delivered=delivered, retrying=retrying, dead=dead)


def redeliver(session: Session, *, delivery: WebhookDelivery) -> WebhookDelivery:
    """Puts a dead delivery back in the queue (after the clinic fixed its endpoint)."""
    delivery.status, delivery.next_attempt_at, delivery.attempts = "pending", utcnow(), 0
    session.flush()
    return delivery


def decision_event(record: ReviewRecord) -> dict:
    """The outcome as clinics receive it by webhook (the internet hospital gets its own event shape); our
    ids go out as public ids, the same the clinic reads from the API."""
    return {"review_id": encode(record.id), "outcome": record.status, "verdict": record.verdict,
            "external_ref": record.source_ref, "patient_ref": record.patient_ref,
            "pharmacist_user_id": encode(record.decided_by_user_id) if record.decided_by_user_id else None,
            "reason": record.decision_reason,
            "signature": record.signature, "double_signed": record.double_signed,
            "confirming_doctor": record.confirming_doctor,
            "decided_at": record.decided_at.isoformat() if record.decided_at else None,
            "kb_version": record.kb_version, "findings": record.response.get("findings", [])}
