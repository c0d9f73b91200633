"""Reactions inside the order domain to money and prescription events (delivered in the same transaction;
`at` is when the publisher handled the event, so replays and demo data keep a consistent timeline)."""
from sqlalchemy.orm import Session

from healthhub.core.events import subscribe
from healthhub.orders import service, uploads
from healthhub.orders.payments.service import CAPTURED_TOPIC, PROVIDER_REFUNDED_TOPIC


@subscribe(CAPTURED_TOPIC)
def _payment_captured(session: Session, payload: dict) -> None:
    service.on_payment_captured(session, payment_id=payload["payment_id"], now=payload["at"])


@subscribe(PROVIDER_REFUNDED_TOPIC)
def _refunded_by_provider(session: Session, payload: dict) -> None:
    service.on_provider_refund(session, payment_id=payload["payment_id"], now=payload["at"])


@subscribe(uploads.APPROVED_TOPIC)
def _rx_upload_approved(session: Session, payload: dict) -> None:
    service.on_rx_upload_approved(session, upload_id=payload["upload_id"], now=payload["at"])


@subscribe(uploads.REJECTED_TOPIC)
def _rx_upload_rejected(session: Session, payload: dict) -> None:
    service.on_rx_upload_rejected(session, upload_id=payload["upload_id"], reason=payload["reason"], now=payload["at"])
