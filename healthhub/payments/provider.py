"""What the payments domain needs from a payment provider. A real acquirer (WeChat Pay, Alipay, UnionPay)
plugs in by implementing `PaymentProvider` and joining `service.PROVIDERS`; the built-in sandbox implements it
for demos and tests."""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class IntentCreated:
    provider_ref: str
    redirect_url: str  # where the payer goes to pay


@dataclass(frozen=True)
class IntentSnapshot:
    """The provider's view of one payment after an action: callers adopt it, never add to it."""

    provider_ref: str
    status: str
    amount_cents: int
    captured_cents: int
    refunded_cents: int
    sequence: int  # increases with every change on the provider side


@dataclass(frozen=True)
class RefundResult:
    refund_ref: str
    amount_cents: int
    snapshot: IntentSnapshot


@dataclass(frozen=True)
class CallbackEvent:
    event_id: str
    event_type: str  # payment.succeeded | payment.failed | payment.cancelled | refund.succeeded
    occurred_at: datetime
    snapshot: IntentSnapshot
    raw: dict


class PaymentProvider(Protocol):
    name: str

    def create_intent(self, session: Session, *, merchant_reference: str, amount_cents: int, description: str,
                      return_url: str, callback_url: str) -> IntentCreated: ...

    def cancel_intent(self, session: Session, *, provider_ref: str) -> IntentSnapshot: ...

    def refund(self, session: Session, *, provider_ref: str, amount_cents: int, reason: str) -> RefundResult: ...

    def parse_callback(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> CallbackEvent:
        """Verifies signature and timestamp; raises Unauthorized / AppError(400) when they do not hold."""
        ...
