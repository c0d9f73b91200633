"""One payment-intent service for every payable: start a payment, apply provider callbacks exactly once,
refund, close what was never paid.

A payable is whatever another domain sells, named by `(payable_kind, payable_id)` ("order",
"family_doctor_purchase", ...); its owner starts the payment with the amount (CNY cents), a description, its
own reference and the paying user, and learns the outcome through the events in `payments/events.py`.
Provider state is adopted as a snapshot with a sequence number, never added to: a duplicate callback is
recognised by its event id, and an older event arriving after a newer one (e.g. 'succeeded' after
'refunded') carries a lower sequence and is ignored as stale. Callers get views (`views.py`), never rows.
"""
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthhub.core import audit, events
from healthhub.core.config import get_settings
from healthhub.core.errors import Conflict, NotFound, RuleViolation
from healthhub.payments import dispatch
from healthhub.payments.errors import ErrorCode
from healthhub.payments.events import PaymentCaptured, PaymentRefundedByProvider
from healthhub.payments.models import Payment, PaymentEvent, PaymentRefund, SandboxCallback
from healthhub.payments.provider import CallbackEvent, IntentSnapshot, PaymentProvider
from healthhub.payments.sandbox import sandbox
from healthhub.payments.signatures import signed_headers
from healthhub.payments.views import PaymentView, RefundView, payment_view, refund_view

PROVIDERS: dict[str, PaymentProvider] = {sandbox.name: sandbox}
STATUS_LABELS = {"pending": "待支付", "succeeded": "支付成功", "failed": "支付失败", "cancelled": "已关闭",
                 "refunded": "已退款", "partially_refunded": "部分退款"}


def provider_named(name: str) -> PaymentProvider:
    provider = PROVIDERS.get(name)
    if provider is None:
        raise NotFound(f"未知的支付渠道 {name} / unknown payment provider", code=ErrorCode.UNKNOWN_PROVIDER)
    return provider


def callback_url_for(provider_name: str) -> str:
    """Where the provider posts its signed notifications. From configuration, never from a request's Host
    header: a forged Host would aim our signed callbacks at any listener (SSRF)."""
    return f"{get_settings().public_url.rstrip('/')}/api/v1/payments/callbacks/{provider_name}"


def start_payment(session: Session, *, payable_kind: str, payable_id: int, payer_id: int, amount_cents: int,
                  description: str, reference: str, provider_name: str, return_url: str) -> PaymentView:
    """Opens a payment intent at the provider; the payer follows `redirect_url` to pay. `reference` is the
    payable's own number, shown to the payer by the provider."""
    if amount_cents <= 0:
        raise RuleViolation("支付金额必须大于 0 / the amount to pay must be positive", code=ErrorCode.NOTHING_TO_PAY)
    provider = provider_named(provider_name)
    intent = provider.create_intent(session, merchant_reference=reference, amount_cents=amount_cents,
                                    description=description, return_url=return_url,
                                    callback_url=callback_url_for(provider.name))
    payment = Payment(payable_kind=payable_kind, payable_id=payable_id, payer_id=payer_id, provider=provider.name,
                      provider_ref=intent.provider_ref, status="pending", amount_cents=amount_cents, provider_seq=1,
                      redirect_url=intent.redirect_url)
    session.add(payment)
    session.flush()
    audit.record(session, action="payment.start", entity_type="payment", entity_id=payment.id,
                 detail={"payable": f"{payable_kind}:{payable_id}", "reference": reference,
                         "amount_cents": amount_cents, "provider": provider.name, "provider_ref": payment.provider_ref})
    return payment_view(payment)


def _adopt(payment: Payment, snapshot: IntentSnapshot) -> tuple[int, int]:
    """Takes over the provider's figures; returns how much was newly captured and newly refunded."""
    captured = snapshot.captured_cents - payment.captured_cents
    refunded = snapshot.refunded_cents - payment.refunded_cents
    payment.captured_cents, payment.refunded_cents = snapshot.captured_cents, snapshot.refunded_cents
    payment.status = {"requires_payment": "pending"}.get(snapshot.status, snapshot.status)
    payment.provider_seq = snapshot.sequence
    return captured, refunded


def _locked_by_ref(session: Session, provider: str, provider_ref: str) -> Payment | None:
    return session.execute(select(Payment).where(Payment.provider == provider, Payment.provider_ref == provider_ref)
                           .with_for_update()).scalar_one_or_none()


def _rows_of(session: Session, payable_kind: str, payable_id: int, *, lock: bool = False) -> list[Payment]:
    query = (select(Payment).where(Payment.payable_kind == payable_kind, Payment.payable_id == payable_id)
             .order_by(Payment.id))
    if lock:
        query = query.with_for_update()
    return list(session.execute(query).scalars())


def handle_callback(session: Session, *, provider_name: str, body: bytes, headers: Mapping[str, str],
                    now: datetime) -> str:
    """Verifies and applies one callback; returns the outcome (applied, duplicate, stale, unknown-payment)."""
    provider = provider_named(provider_name)
    event = provider.parse_callback(body, headers, now=now)
    return _apply_event(session, provider=provider.name, event=event, now=now)


def _apply_event(session: Session, *, provider: str, event: CallbackEvent, now: datetime) -> str:
    snapshot = event.snapshot
    # The payment row lock serialises concurrent deliveries of events for the same payment.
    payment = _locked_by_ref(session, provider, snapshot.provider_ref)
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
    # no money is held, so the payable must not be delivered, only told about the refund.
    if captured > 0 and payment.captured_cents > payment.refunded_cents:
        events.publish(session, PaymentCaptured(payment_id=payment.id, payable_kind=payment.payable_kind,
                                                payable_id=payment.payable_id, at=now))
    if refunded > 0:
        events.publish(session, PaymentRefundedByProvider(payment_id=payment.id, payable_kind=payment.payable_kind,
                                                          payable_id=payment.payable_id, amount_cents=refunded,
                                                          at=now))
    return outcome


def _refund(session: Session, payment: Payment, amount_cents: int, reason: str) -> RefundView:
    refundable = payment.captured_cents - payment.refunded_cents
    if amount_cents <= 0 or amount_cents > refundable:
        raise Conflict(f"退款金额 {amount_cents} 分超出可退金额 {refundable} 分 / refund exceeds the refundable amount",
                       code=ErrorCode.REFUND_EXCEEDS_CAPTURED)
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
    return refund_view(record)


def refund(session: Session, *, payment_id: int, amount_cents: int, reason: str) -> RefundView:
    """Refunds through the provider and records it; the later 'refund.succeeded' callback is then stale."""
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise NotFound("支付记录不存在 / payment not found", code=ErrorCode.PAYMENT_NOT_FOUND)
    return _refund(session, payment, amount_cents, reason)


def refund_all(session: Session, *, payable_kind: str, payable_id: int, reason: str) -> int:
    """Refunds everything still held for a payable; returns the cents refunded."""
    total = 0
    for payment in _rows_of(session, payable_kind, payable_id, lock=True):
        outstanding = payment.captured_cents - payment.refunded_cents
        if outstanding > 0:
            _refund(session, payment, outstanding, reason)
            total += outstanding
    return total


def cancel_pending(session: Session, *, payable_kind: str, payable_id: int) -> None:
    """Closes every unpaid intent of a payable so the payer can no longer pay it."""
    for payment in _rows_of(session, payable_kind, payable_id, lock=True):
        if payment.status == "pending":
            snapshot = provider_named(payment.provider).cancel_intent(session, provider_ref=payment.provider_ref)
            _adopt(payment, snapshot)


def get_payment(session: Session, *, payment_id: int) -> PaymentView:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("支付记录不存在 / payment not found", code=ErrorCode.PAYMENT_NOT_FOUND)
    return payment_view(payment)


def payments_of(session: Session, *, payable_kind: str, payable_id: int) -> list[PaymentView]:
    return [payment_view(p) for p in _rows_of(session, payable_kind, payable_id)]


# --- demo data ------------------------------------------------------------------------------------------------

def pay_in_sandbox_in_process(session: Session, *, payment_id: int, at: datetime) -> str:
    """The payer pays on the sandbox page and the provider's signed callback is applied here, as if delivered
    at `at`: for demo data, made before any server listens. Returns the callback's outcome."""
    payment = get_payment(session, payment_id=payment_id)
    sandbox.payer_decides(session, intent_id=payment.provider_ref, pay=True)
    callback = session.execute(select(SandboxCallback).where(SandboxCallback.intent_id == payment.provider_ref)
                               .order_by(SandboxCallback.id.desc()).limit(1)).scalar_one()
    body = callback.body.encode()
    headers = {name.lower(): value for name, value in signed_headers(body, at=at).items()}
    return handle_callback(session, provider_name=sandbox.name, body=body, headers=headers, now=at)


def keep_callbacks_in_outbox(session: Session) -> None:
    """Nothing this transaction queued is posted after commit: for demo data, whose callbacks were applied in
    process (`pay_in_sandbox_in_process`) or need no server. They stay in the sandbox outbox."""
    dispatch.discard_pending(session)
