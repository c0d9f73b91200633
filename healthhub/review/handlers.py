"""Internet-hospital hand-off. The prescriptions domain publishes, we review and queue; our decisions
go back as `review.decided` / `review.confirmation_requested` (published in workbench.py).

A handler that raises rolls back the publisher's transaction: a malformed request or a
confirmation nobody asked for is a bug to surface, not to swallow.
"""
from sqlalchemy.orm import Session

from healthhub.core.events import subscribe
from healthhub.review import service, workbench
from healthhub.review.decisions import Source
from healthhub.review.schemas import ReviewRequest


@subscribe("prescription.submitted_for_review")
def on_prescription_submitted(session: Session, payload: dict) -> None:
    prescription_id = int(payload["prescription_id"])
    if workbench.open_review_for_prescription(session, prescription_id) is not None:
        return  # a repeated submission while a review is open must not queue the prescription twice
    request = ReviewRequest.model_validate(payload["request"])
    service.submit(session, request=request, submission=service.Submission(
        source=Source.PRESCRIPTION, source_ref=str(prescription_id),
        patient_label=(payload.get("patient_label") or None), doctor_user_id=payload.get("doctor_user_id"),
        submitted_by_user_id=payload.get("doctor_user_id")))


@subscribe("prescription.doctor_confirmed")
def on_doctor_confirmed(session: Session, payload: dict) -> None:
    record = workbench.require_open_review_for_prescription(session, int(payload["prescription_id"]))
    workbench.doctor_confirmed(session, record=record, doctor={"user_id": payload.get("doctor_user_id")},
                               comment=payload.get("comment"))
