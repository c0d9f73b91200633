"""Paying for a subscribe or renew purchase through the payments domain: the patient opens a payment for the
purchase and pays on the provider's page; the captured payment (payments' `PaymentCaptured`, handlers.py)
makes the purchase take effect (`service.confirm_payment`)."""
from datetime import datetime

from sqlalchemy.orm import Session

from healthhub.core.errors import Conflict, NotFound
from healthhub.core.public_ids import encode
from healthhub.family_doctor import service
from healthhub.family_doctor.errors import ErrorCode
from healthhub.family_doctor.models import Purchase, Subscription
from healthhub.payments import service as payments
from healthhub.payments.views import PaymentView

PAYABLE_KIND = "family_doctor_purchase"  # how the payments domain names a purchase
KIND_LABELS = {"subscribe": "签约", "renew": "续费"}


def _own_purchase(session: Session, account_user_id: int, purchase_id: int) -> Purchase:
    purchase = session.get(Purchase, purchase_id, with_for_update=True)
    if purchase is None or session.get(Subscription, purchase.subscription_id).account_user_id != account_user_id:
        # Another account's purchase answers exactly like a missing one: ids cannot be probed.
        raise NotFound("支付单不存在 / purchase not found", code=ErrorCode.FD_PURCHASE_NOT_FOUND)
    return purchase


def start_payment(session: Session, *, account_user_id: int, purchase_id: int, provider_name: str) -> PaymentView:
    """Opens a payment of the purchase's amount; the patient pays on the provider's page and comes back to the
    family-doctor page."""
    purchase = _own_purchase(session, account_user_id, purchase_id)
    if purchase.status != "PENDING":
        raise Conflict("该支付单已支付 / already paid", code=ErrorCode.FD_ALREADY_PAID)
    package = service.get_package(session, package_id=session.get(Subscription, purchase.subscription_id).package_id)
    return payments.start_payment(session, payable_kind=PAYABLE_KIND, payable_id=purchase.id,
                                  payer_id=account_user_id, amount_cents=purchase.amount_cents,
                                  description=f"家庭医生 {package.name}（{KIND_LABELS[purchase.kind]}）",
                                  reference=f"FD-{encode(purchase.id)}", provider_name=provider_name,
                                  return_url="/family-doctor")


def on_payment_captured(session: Session, *, payment_id: int, now: datetime) -> None:
    payment = payments.get_payment(session, payment_id=payment_id)
    purchase = session.get(Purchase, payment.payable_id, with_for_update=True)
    if purchase.status != "PENDING" or payment.held_cents != purchase.amount_cents:
        # Paid twice (two payment pages left open) or a wrong amount: the money goes straight back.
        payments.refund(session, payment_id=payment.id, amount_cents=payment.held_cents,
                        reason="服务包已支付或金额不符，自动退款 / already paid or wrong amount: automatic refund")
        return
    service.confirm_payment(session, purchase_id=purchase.id, payment_ref=payment.provider_ref, now=now)
