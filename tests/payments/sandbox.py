"""Driving the sandbox provider in tests, for any payable: the payer on the provider's hosted page, the
provider's callback outbox, and delivery through our callback endpoint as the provider's queue would."""
import json

from sqlalchemy import select

from healthhub.payments.models import SandboxCallback
from healthhub.payments.signatures import signed_headers

CALLBACK_URL = "/api/v1/payments/callbacks/sandbox"


def intent_id(payment: dict) -> str:
    """The sandbox intent behind a payment as an API shows it (its redirect_url ends with the intent id)."""
    return payment["redirect_url"].rsplit("/", 1)[1]


def payer_clicks(client, payment: dict, action: str = "pay") -> None:
    """The payer on the provider's hosted page (no HealthHub session involved)."""
    response = client.post(payment["redirect_url"], data={"action": action}, follow_redirects=False)
    assert response.status_code == 303, response.text


def outbox(db, payment: dict) -> list[SandboxCallback]:
    return list(db.execute(select(SandboxCallback).where(SandboxCallback.intent_id == intent_id(payment))
                           .order_by(SandboxCallback.id)).scalars())


def deliver(client, callback: SandboxCallback | str, **header_overrides):
    """Delivers a callback through our endpoint exactly as the provider's queue would (signed now)."""
    body = (callback if isinstance(callback, str) else callback.body).encode()
    headers = {**signed_headers(body), **header_overrides}
    return client.post(CALLBACK_URL, content=body, headers=headers)


def event_type(callback: SandboxCallback) -> str:
    return json.loads(callback.body)["type"]


def pay_and_deliver(client, db, payment: dict) -> str:
    """The payer pays and the provider's callback arrives: returns the callback's outcome."""
    payer_clicks(client, payment)
    return deliver(client, outbox(db, payment)[-1]).json()["outcome"]
