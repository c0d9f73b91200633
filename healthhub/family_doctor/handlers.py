"""Reactions to the internet hospital, delivered in the patient's own transaction: a consultation
requested by a covered patient consumes an included consultation; cancelled from the queue, it gives it back."""
from typing import Any

from sqlalchemy.orm import Session

from healthhub.core.db import utcnow
from healthhub.core.events import subscribe
from healthhub.family_doctor.service import consume_for_consultation, release_for_consultation


@subscribe("hospital.consultation.requested")
def on_consultation_requested(session: Session, payload: dict[str, Any]) -> None:
    consume_for_consultation(session, account_user_id=int(payload["account_user_id"]),
                             patient_id=int(payload["patient_id"]), consultation_id=int(payload["consultation_id"]),
                             now=utcnow())


@subscribe("hospital.consultation.closed")
def on_consultation_closed(session: Session, payload: dict[str, Any]) -> None:
    # A cancel is the one ending without care: it is allowed only while the request waits in the queue.
    if payload.get("status") == "cancelled":
        release_for_consultation(session, consultation_id=int(payload["consultation_id"]), now=utcnow())
