"""Reactions to the pharmacist side (review domain), delivered in the reviewer's transaction."""
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.db import utcnow
from healthhub.core.errors import AppError
from healthhub.core.events import handles
from healthhub.prescriptions.errors import ErrorCode
from healthhub.prescriptions.service import load_row, require_valid_signature, transition
from healthhub.prescriptions.statemachine import RxEvent, RxStatus
from healthhub.review.events import PrescriberConfirmationRequested, PrescriptionReviewDecided


@handles(PrescriptionReviewDecided)
def review_decided(session: Session, event: PrescriptionReviewDecided) -> None:
    """approved → APPROVED (only with an intact doctor signature), returned → RETURNED."""
    rx = load_row(session, prescription_id=event.prescription_id, lock=True)
    outcome = event.outcome
    if outcome == "approved":
        require_valid_signature(session, rx=rx)  # raising rolls the pharmacist's approval back too
        step = RxEvent.APPROVE
    elif outcome == "returned":
        step = RxEvent.RETURN
    else:
        raise AppError(f"未知的审核结果 {outcome!r} / unknown review outcome", code=ErrorCode.RX_UNKNOWN_REVIEW_OUTCOME)
    rx.review_id = str(event.review_id)
    rx.pharmacist_user_id = event.pharmacist_user_id
    rx.review_reason = event.reason
    rx.review_signature = event.signature
    rx.reviewed_at = utcnow()
    transition(session, rx=rx, event=step, actor_user_id=rx.pharmacist_user_id, note=rx.review_reason or "")
    session.flush()


@handles(PrescriberConfirmationRequested)
def confirmation_requested(session: Session, event: PrescriberConfirmationRequested) -> None:
    """RV-05: the pharmacist asks the prescriber to confirm; the doctor sees it in the prescription list."""
    rx = load_row(session, prescription_id=event.prescription_id, lock=True)
    if rx.status != RxStatus.UNDER_REVIEW:
        raise AppError("处方不在审核中，无法请求医生确认 / the prescription is not under review",
                       code=ErrorCode.RX_NOT_UNDER_REVIEW, status=409)
    rx.review_id = str(event.review_id)
    rx.confirmation_question = event.question
    rx.confirmation_findings = list(event.findings)
    rx.confirmation_requested_at = utcnow()
    rx.doctor_confirmed_at = rx.doctor_confirm_comment = rx.doctor_confirm_signature = None
    session.flush()
    audit.record(session, action="prescription.confirmation_requested", entity_type="prescription", entity_id=rx.id,
                 detail={"review_id": rx.review_id, "question": rx.confirmation_question})


HANDLERS = [review_decided, confirmation_requested]
