"""Frozen views of payments handed to callers (this domain's routes and, through `service.py`, the payables'
owners), so no caller ever holds a payments ORM row."""
from dataclasses import dataclass
from datetime import datetime

from healthhub.core.public_ids import PublicId
from healthhub.payments.models import Payment, PaymentRefund


@dataclass(frozen=True)
class PaymentView:
    id: PublicId
    payable_kind: str
    payable_id: PublicId
    payer_id: PublicId
    provider: str
    provider_ref: str
    status: str  # pending | succeeded | failed | cancelled | refunded | partially_refunded
    amount_cents: int
    captured_cents: int
    refunded_cents: int
    redirect_url: str  # the provider's page where the payer pays
    created_at: datetime

    @property
    def held_cents(self) -> int:
        """Captured and not refunded: what the payable's owner holds from this payment."""
        return self.captured_cents - self.refunded_cents


@dataclass(frozen=True)
class RefundView:
    id: PublicId
    payment_id: PublicId
    provider_ref: str
    amount_cents: int
    reason: str
    created_at: datetime


def payment_view(payment: Payment) -> PaymentView:
    return PaymentView(id=payment.id, payable_kind=payment.payable_kind, payable_id=payment.payable_id,
                       payer_id=payment.payer_id, provider=payment.provider, provider_ref=payment.provider_ref,
                       status=payment.status, amount_cents=payment.amount_cents,
                       captured_cents=payment.captured_cents, refunded_cents=payment.refunded_cents,
                       redirect_url=payment.redirect_url, created_at=payment.created_at)


def refund_view(refund: PaymentRefund) -> RefundView:
    return RefundView(id=refund.id, payment_id=refund.payment_id, provider_ref=refund.provider_ref,
                      amount_cents=refund.amount_cents, reason=refund.reason, created_at=refund.created_at)
