"""What the review domain tells the internet hospital about a prescription it reviews (clinic tenants hear the
same facts through signed webhooks instead, see webhooks.py)."""
from typing import Any

from healthhub.core.events import domain_event


@domain_event("review.prescription_decided")
class PrescriptionReviewDecided:
    prescription_id: int
    review_id: int
    outcome: str  # "approved" | "returned"
    pharmacist_user_id: int | None
    reason: str | None
    signature: str | None


@domain_event("review.prescriber_confirmation_requested")
class PrescriberConfirmationRequested:
    prescription_id: int
    review_id: int
    question: str
    findings: list[dict[str, Any]]
