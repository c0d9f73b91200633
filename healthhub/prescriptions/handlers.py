"""Reactions to the pharmacist side (review domain), delivered in the reviewer's transaction."""
from typing import Any

from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.db import utcnow
from healthhub.core.errors import AppError
from healthhub.core.events import subscribe
from healthhub.prescriptions.service import load_row, require_valid_signature, transition
from healthhub.prescriptions.statemachine import RxEvent, RxStatus


@subscribe("review.decided")
def on_review_decided(session: Session, payload: dict[str, Any]) -> None:
    """approved → APPROVED (only with an intact doctor signature), returned → RETURNED."""
    if payload.get("source") != "prescription":
        return
    rx = load_row(session, int(payload["source_ref"]), lock=True)
    outcome = payload.get("outcome")
    if outcome == "approved":
        require_valid_signature(session, rx)  # raising rolls the pharmacist's approval back too
        event = RxEvent.APPROVE
    elif outcome == "returned":
        event = RxEvent.RETURN
    else:
        raise AppError(f"未知的审核结果 {outcome!r} / unknown review outcome", code="rx-unknown-review-outcome")
    rx.review_id = str(payload.get("review_id") or "") or None
    rx.pharmacist_user_id = payload.get("pharmacist_user_id")
    rx.review_reason = payload.get("reason")
    rx.review_signature = payload.get("signature")
    rx.reviewed_at = utcnow()
    transition(session, rx, event, actor_user_id=rx.pharmacist_user_id, note=rx.review_reason or "")
    session.flush()


@subscribe("review.confirmation_requested")
def on_confirmation_requested(session: Session, payload: dict[str, Any]) -> None:
    """RV-05: the pharmacist asks the prescriber to confirm; the doctor sees it in the prescription list."""
    rx = load_row(session, int(payload["source_ref"]), lock=True)
    if rx.status != RxStatus.UNDER_REVIEW:
        raise AppError("处方不在审核中，无法请求医生确认 / the prescription is not under review",
                       code="rx-not-under-review", status=409)
    rx.review_id = str(payload.get("review_id") or "") or rx.review_id
    rx.confirmation_question = payload.get("question") or ""
    rx.confirmation_findings = list(payload.get("findings") or [])
    rx.confirmation_requested_at = utcnow()
    rx.doctor_confirmed_at = rx.doctor_confirm_comment = rx.doctor_confirm_signature = None
    session.flush()
    audit.record(session, action="prescription.confirmation_requested", entity_type="prescription", entity_id=rx.id,
                 detail={"review_id": rx.review_id, "question": rx.confirmation_question})
