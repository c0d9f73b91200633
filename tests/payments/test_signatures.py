"""The sandbox provider's signed callbacks, checked without a database: signature, timestamp window, body."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from healthhub.core.errors import AppError, Unauthorized
from healthhub.payments.sandbox import sandbox
from healthhub.payments.signatures import signed_headers


def _body(sequence: int = 2) -> bytes:
    return json.dumps({"id": "evt_1", "type": "payment.succeeded", "created": 1_790_000_000, "data": {
        "intent_id": "pi_x", "merchant_reference": "O1", "status": "succeeded", "amount_cents": 500,
        "captured_cents": 500, "refunded_cents": 0, "sequence": sequence}}).encode()


def test_callback_signature_timestamp_and_body_are_checked():
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    body = _body()
    headers = {k.lower(): v for k, v in signed_headers(body, at=now).items()}
    event = sandbox.parse_callback(body, headers, now=now)
    assert (event.event_id, event.snapshot.captured_cents, event.snapshot.sequence) == ("evt_1", 500, 2)
    with pytest.raises(Unauthorized):
        sandbox.parse_callback(_body(sequence=3), headers, now=now)  # body changed after signing
    with pytest.raises(Unauthorized):
        sandbox.parse_callback(body, {**headers, "x-sandbox-signature": "v1=" + "0" * 64}, now=now)
    with pytest.raises(AppError) as stale:
        sandbox.parse_callback(body, headers, now=now + timedelta(minutes=10))
    assert (stale.value.status, stale.value.code) == (400, "stale-signature")
