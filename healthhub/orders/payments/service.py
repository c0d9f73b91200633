"""Our side of payments: start a payment, apply provider callbacks exactly once, refund.

Provider state is adopted as a snapshot with a sequence number, never added to: a duplicate
callback is recognised by its event id, and an older event arriving after a newer one
(e.g. 'succeeded' after 'refunded') carries a lower sequence and is ignored as stale.
The order domain reacts to money movements through events (see orders/handlers.py).
"""
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthhub.core import audit, events
from healthhub.core.config import get_settings
from healthhub.core.errors import Conflict, NotFound
from healthhub.orders.models import Order, Payment, PaymentEvent, PaymentRefund
from healthhub.orders.payments.provider import CallbackEvent, IntentSnapshot, PaymentProvider
from healthhub.orders.payments.sandbox import PROVIDERS

CAPTURED_TOPIC = "orders.payment.captured"
PROVIDER_REFUNDED_TOPIC = "orders.payment.refunded_by_provider"
STATUS_LABELS = {"pending": "待支付", "succeeded": "支付成功", "failed": "支付失败", "cancelled": "已关闭",
                 "refunded": "已退款", "partially_refunded": "部分退款"}


def provider_named(name: str) -> PaymentProvider:
    provider = PROVIDERS.get(name)
    if provider is None:
        raise NotFound(f"未知的支付渠道 {name} / unknown payment provider")
    return provider


def callback_url_for(provider_name: str) -> str:
    """Where the provider posts its signed notifications. From configuration, never from a request's Host
    header: a forged Host would aim our signed callbacks at any listener (SSRF)."""
    return f"{get_settings().public_url.rstrip('/')}/api/v1/payments/callbacks/{provider_name}"


def start_payment(session: Session, *, order: Order, provider_name: str, return_url: str) -> Payment:
    provider = provider_named(provider_name)
    callback_url = callback_url_for(provider.name)
    intent = provider.create_intent(session, merchant_reference=order.order_no, amount_cents=order.total_cents,
                                    description=f"HealthHub 订单 {order.order_no}", return_url=return_url,
                                    callback_url=callback_url)
    payment = Payment(order_id=order.id, provider=provider.name, provider_ref=intent.provider_ref, status="pending",
                      amount_cents=order.total_cents, provider_seq=1, redirect_url=intent.redirect_url)
    session.add(payment)
    session.flush()
    audit.record(session, action="payment.start", entity_type="payment", entity_id=payment.id,
                 detail={"order": order.order_no, "amount_cents": payment.amount_cents, "provider": provider.name,
                         "provider_ref": payment.provider_ref})
    return payment


def _adopt(payment: Payment, snapshot: IntentSnapshot) -> tuple[int, int]:
    """Takes over the provider's figures; returns how much was newly captured and newly refunded."""
    captured = snapshot.captured_cents - payment.captured_cents
    refunded = snapshot.refunded_cents - payment.refunded_cents
    payment.captured_cents, payment.refunded_cents = snapshot.captured_cents, snapshot.refunded_cents
    payment.status = {"requires_payment": "pending"}.get(snapshot.status, snapshot.status)
    payment.provider_seq = snapshot.sequence
    return captured, refunded


def _locked_payment(session: Session, provider: str, provider_ref: str) -> Payment | None:
    return session.execute(select(Payment).where(Payment.provider == provider, Payment.provider_ref == provider_ref)
                           .with_for_update()).scalar_one_or_none()


def handle_callback(session: Session, *, provider_name: str, body: bytes, headers: Mapping[str, str],
                    now: datetime) -> str:
    """Verifies and applies one callback; returns the outcome (applied, duplicate, stale, unknown-payment)."""
    provider = provider_named(provider_name)
    event = provider.parse_callback(body, headers, now=now)
    return apply_event(session, provider=provider.name, event=event, now=now)


def apply_event(session: Session, *, provider: str, event: CallbackEvent, now: datetime) -> str:
    snapshot = event.snapshot
    # The payment row lock serialises concurrent deliveries of events for the same payment.
    payment = _locked_payment(session, provider, snapshot.provider_ref)
    seen = session.execute(select(PaymentEvent.id).where(PaymentEvent.provider == provider,
                                                         PaymentEvent.event_id == event.event_id)).first()
    if seen:
        return "duplicate"
    if payment is None:
        outcome = "unknown-payment"
    elif snapshot.sequence <= payment.provider_seq:
        outcome = "stale"
    else:
        outcome = "applied"
    try:
        with session.begin_nested():
            session.add(PaymentEvent(provider=provider, event_id=event.event_id, event_type=event.event_type,
                                     provider_ref=snapshot.provider_ref, sequence=snapshot.sequence, outcome=outcome,
                                     payload=event.raw, received_at=now))
    except IntegrityError:
        return "duplicate"  # the same event delivered twice at once: the other delivery applies it
    if outcome != "applied":
        return outcome
    captured, refunded = _adopt(payment, snapshot)
    audit.record(session, action=f"payment.callback.{event.event_type}", entity_type="payment", entity_id=payment.id,
                 detail={"event_id": event.event_id, "sequence": snapshot.sequence, "captured_delta": captured,
                         "refunded_delta": refunded, "status": payment.status})
    # Captured and already refunded in one snapshot (a provider-side refund overtook 'succeeded'):
    # no money is held, so the order must not be fulfilled, only told about the refund.
    if captured > 0 and payment.captured_cents > payment.refunded_cents:
        events.publish(session, CAPTURED_TOPIC, {"payment_id": payment.id, "order_id": payment.order_id, "at": now})
    if refunded > 0:
        events.publish(session, PROVIDER_REFUNDED_TOPIC, {"payment_id": payment.id, "order_id": payment.order_id,
                                                          "amount_cents": refunded, "at": now})
    return outcome


def refund(session: Session, *, payment: Payment, amount_cents: int, reason: str) -> PaymentRefund:
    """Refunds through the provider and records it; the later 'refund.succeeded' callback is then stale."""
    refundable = payment.captured_cents - payment.refunded_cents
    if amount_cents <= 0 or amount_cents > refundable:
        raise Conflict(f"退款金额 {amount_cents} 分超出可退金额 {refundable} 分 / refund exceeds the refundable amount",
                       code="refund-exceeds-captured")
    result = provider_named(payment.provider).refund(session, provider_ref=payment.provider_ref,
                                                     amount_cents=amount_cents, reason=reason)
    _adopt(payment, result.snapshot)
    record = PaymentRefund(payment_id=payment.id, provider_ref=result.refund_ref, amount_cents=result.amount_cents,
                           reason=reason[:200])
    session.add(record)
    session.flush()
    audit.record(session, action="payment.refund", entity_type="payment", entity_id=payment.id,
                 detail={"amount_cents": amount_cents, "refund_ref": result.refund_ref, "reason": reason,
                         "refunded_total_cents": payment.refunded_cents})
    return record


def cancel_pending(session: Session, *, order_id: int) -> None:
    """Closes every unpaid intent of an order so the buyer can no longer pay it."""
    for payment in payments_of(session, order_id=order_id, lock=True):
        if payment.status == "pending":
            snapshot = provider_named(payment.provider).cancel_intent(session, provider_ref=payment.provider_ref)
            _adopt(payment, snapshot)


def payments_of(session: Session, *, order_id: int, lock: bool = False) -> list[Payment]:
    query = select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)
    if lock:
        query = query.with_for_update()
    return list(session.execute(query).scalars())


def refund_all(session: Session, *, order_id: int, reason: str) -> int:
    """Refunds everything still held for an order; returns the cents refunded."""
    total = 0
    for payment in payments_of(session, order_id=order_id, lock=True):
        outstanding = payment.captured_cents - payment.refunded_cents
        if outstanding > 0:
            refund(session, payment=payment, amount_cents=outstanding, reason=reason)
            total += outstanding
    return total
