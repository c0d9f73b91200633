"""Periodic jobs of the review service (run by core.jobs)."""
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from healthhub.core.config import get_settings
from healthhub.core.jobs import PeriodicJob
from healthhub.core.outbound import public_only_client
from healthhub.review.webhooks import deliver_due_webhooks

# A clinic endpoint that hangs must not hold the job (and its transaction) for long.
WEBHOOK_TIMEOUT_SECONDS = 10.0


def deliver_webhooks(session: Session, now: datetime) -> int:
    allowed = get_settings().webhook_allowed_hosts
    with public_only_client(allowed_hosts=allowed, timeout=WEBHOOK_TIMEOUT_SECONDS) as http:
        return deliver_due_webhooks(session, now=now, http_client=http, limit=100).attempted


JOBS = [
    PeriodicJob("review.deliver-webhooks", timedelta(seconds=10), deliver_webhooks,
                "send due review-outcome webhooks to clinics, retrying with backoff"),
]
