"""Built-in sandbox payment provider that behaves like a real one.

- The merchant creates an intent and sends the payer to the provider's page (/pay/sandbox/{id}).
- The payer pays or fails there; every change on the provider side gets the next sequence number
  and a callback in the provider's outbox (sandbox_callbacks).
- Callbacks are signed (signatures.py) at send time and delivered asynchronously after the provider's
  transaction commits (see dispatch.py); undelivered ones can be re-sent
  (`healthhub payments redeliver-callbacks`).

The sandbox keeps its ledger in our database and shares the caller's transaction, so a refund
whose payable's update rolls back is rolled back on the "provider" too: in a demo money never drifts.
"""
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.db import utcnow
from healthhub.core.errors import AppError, Conflict, NotFound, Unauthorized
from healthhub.payments import dispatch
from healthhub.payments.errors import ErrorCode
from healthhub.payments.models import SandboxCallback, SandboxIntent
from healthhub.payments.provider import CallbackEvent, IntentCreated, IntentSnapshot, RefundResult
from healthhub.payments.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

TOLERANCE_SECONDS = 300  # a callback signed longer ago than this is refused (replay protection)


def _snapshot(intent: SandboxIntent) -> IntentSnapshot:
    return IntentSnapshot(provider_ref=intent.id, status=intent.status, amount_cents=intent.amount_cents,
                          captured_cents=intent.captured_cents, refunded_cents=intent.refunded_cents,
                          sequence=intent.sequence)


def callback_body(intent: SandboxIntent, event_type: str, event_id: str, at: datetime) -> str:
    snap = _snapshot(intent)
    return json.dumps({"id": event_id, "type": event_type, "created": int(at.timestamp()), "data": {
        "intent_id": snap.provider_ref, "merchant_reference": intent.merchant_reference, "status": snap.status,
        "amount_cents": snap.amount_cents, "captured_cents": snap.captured_cents,
        "refunded_cents": snap.refunded_cents, "sequence": snap.sequence}}, separators=(",", ":"))


class SandboxProvider:
    name = "sandbox"

    # --- merchant side (called by our payment service) -------------------------------------------------
    def create_intent(self, session: Session, *, merchant_reference: str, amount_cents: int, description: str,
                      return_url: str, callback_url: str) -> IntentCreated:
        intent = SandboxIntent(id="pi_" + secrets.token_urlsafe(18), merchant_reference=merchant_reference,
                               description=description[:200], amount_cents=amount_cents, status="requires_payment",
                               sequence=1, return_url=return_url, callback_url=callback_url)
        session.add(intent)
        session.flush()
        return IntentCreated(provider_ref=intent.id, redirect_url=f"/pay/sandbox/{intent.id}")

    def cancel_intent(self, session: Session, *, provider_ref: str) -> IntentSnapshot:
        intent = self._locked(session, provider_ref)
        if intent.status == "requires_payment":
            intent.status = "cancelled"
            intent.sequence += 1
            self._emit(session, intent, "payment.cancelled")
        return _snapshot(intent)

    def refund(self, session: Session, *, provider_ref: str, amount_cents: int, reason: str) -> RefundResult:
        intent = self._locked(session, provider_ref)
        refundable = intent.captured_cents - intent.refunded_cents
        if amount_cents <= 0 or amount_cents > refundable:
            raise Conflict(f"退款金额超出可退金额（可退 {refundable} 分）/ refund exceeds the refundable {refundable} cents",
                           code=ErrorCode.REFUND_EXCEEDS_CAPTURED)
        intent.refunded_cents += amount_cents
        intent.status = "refunded" if intent.refunded_cents == intent.captured_cents else "partially_refunded"
        intent.sequence += 1
        refund_ref = "re_" + secrets.token_urlsafe(12)
        self._emit(session, intent, "refund.succeeded")
        return RefundResult(refund_ref=refund_ref, amount_cents=amount_cents, snapshot=_snapshot(intent))

    def parse_callback(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> CallbackEvent:
        signature = headers.get(SIGNATURE_HEADER, "")
        try:
            timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
        except ValueError:
            raise Unauthorized("回调缺少有效的签名时间戳 / callback timestamp missing", code=ErrorCode.BAD_SIGNATURE) from None
        if not hmac.compare_digest(signature, sign(body, timestamp)):
            raise Unauthorized("支付回调签名无效 / payment callback signature is invalid", code=ErrorCode.BAD_SIGNATURE)
        if abs(now.timestamp() - timestamp) > TOLERANCE_SECONDS:
            raise AppError("支付回调签名已过期 / payment callback timestamp outside the allowed window",
                           code=ErrorCode.STALE_SIGNATURE, status=400)
        try:
            payload = json.loads(body)
            data = payload["data"]
            snapshot = IntentSnapshot(provider_ref=str(data["intent_id"]), status=str(data["status"]),
                                      amount_cents=int(data["amount_cents"]), captured_cents=int(data["captured_cents"]),
                                      refunded_cents=int(data["refunded_cents"]), sequence=int(data["sequence"]))
            return CallbackEvent(event_id=str(payload["id"]), event_type=str(payload["type"]),
                                 occurred_at=datetime.fromtimestamp(int(payload["created"]), UTC),
                                 snapshot=snapshot, raw=payload)
        except (ValueError, KeyError, TypeError) as exc:
            raise AppError("支付回调内容格式错误 / malformed callback body", code=ErrorCode.BAD_CALLBACK, status=400) from exc

    # --- payer side (the provider's hosted page) ----------------------------------------------------------
    def get_intent(self, session: Session, intent_id: str) -> SandboxIntent:
        intent = session.get(SandboxIntent, intent_id)
        if intent is None:
            raise NotFound("支付单不存在 / payment intent not found")
        return intent

    def payer_decides(self, session: Session, *, intent_id: str, pay: bool) -> SandboxIntent:
        intent = self._locked(session, intent_id)
        if intent.status != "requires_payment":
            raise Conflict("该支付单已处理，不能重复支付 / this payment was already completed or cancelled",
                           code=ErrorCode.INTENT_NOT_PAYABLE)
        intent.status = "succeeded" if pay else "failed"
        intent.captured_cents = intent.amount_cents if pay else 0
        intent.sequence += 1
        self._emit(session, intent, "payment.succeeded" if pay else "payment.failed")
        return intent

    def _locked(self, session: Session, intent_id: str) -> SandboxIntent:
        intent = session.execute(select(SandboxIntent).where(SandboxIntent.id == intent_id).with_for_update()
                                 ).scalar_one_or_none()
        if intent is None:
            raise NotFound("支付单不存在 / payment intent not found")
        return intent

    def _emit(self, session: Session, intent: SandboxIntent, event_type: str) -> None:
        target = intent.callback_url
        event_id = "evt_" + secrets.token_urlsafe(12)
        body = callback_body(intent, event_type, event_id, utcnow())
        session.add(SandboxCallback(event_id=event_id, intent_id=intent.id, target_url=target, body=body))
        session.flush()
        dispatch.deliver_after_commit(session, target, body)


sandbox = SandboxProvider()
