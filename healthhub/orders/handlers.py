"""Reactions inside the order domain to money and prescription events (delivered in the same transaction;
`at` is when the publisher handled the event, so replays and demo data keep a consistent timeline). Payment
events name any payable: only those of an order (`service.PAYABLE_KIND`) concern this domain."""
from sqlalchemy.orm import Session

from healthhub.core.events import handles
from healthhub.orders import lifecycle
from healthhub.orders.events import RxUploadApproved, RxUploadRejected
from healthhub.orders.service import PAYABLE_KIND
from healthhub.payments.events import PaymentCaptured, PaymentRefundedByProvider


@handles(PaymentCaptured)
def payment_captured(session: Session, event: PaymentCaptured) -> None:
    if event.payable_kind == PAYABLE_KIND:
        lifecycle.on_payment_captured(session, payment_id=event.payment_id, now=event.at)


@handles(PaymentRefundedByProvider)
def refunded_by_provider(session: Session, event: PaymentRefundedByProvider) -> None:
    if event.payable_kind == PAYABLE_KIND:
        lifecycle.on_provider_refund(session, payment_id=event.payment_id, now=event.at)


@handles(RxUploadApproved)
def rx_upload_approved(session: Session, event: RxUploadApproved) -> None:
    lifecycle.on_rx_upload_approved(session, upload_id=event.upload_id, now=event.at)


@handles(RxUploadRejected)
def rx_upload_rejected(session: Session, event: RxUploadRejected) -> None:
    lifecycle.on_rx_upload_rejected(session, upload_id=event.upload_id, reason=event.reason, now=event.at)


HANDLERS = [payment_captured, refunded_by_provider, rx_upload_approved, rx_upload_rejected]
