"""Internet-hospital e-prescriptions for shop tests: signed by the doctor through the prescriptions API,
then decided the way the review domain reports a pharmacist's decision (the `review.decided` event)."""
from sqlalchemy.orm import Session

from healthhub.core import events
from healthhub.review.events import PrescriptionReviewDecided
from healthhub.core.public_ids import decode
from tests.prescriptions.scenario import Scenario, body, make_scenario
from tests.prescriptions.test_prescribing import create_and_sign


def signed_prescription(client, db: Session, *, quantity: int) -> tuple[Scenario, dict]:
    """An amlodipine (knowledge key "amlodipine") prescription waiting for the pharmacist (UNDER_REVIEW)."""
    s = make_scenario(db)
    rx = create_and_sign(client, s, body(s.consultation_id, {"name": "氨氯地平", "dose": "5", "unit": "mg",
                                                             "frequency": "qd", "route": "口服", "days": 7,
                                                             "quantity": quantity}))
    return s, rx


def approve(db: Session, public_prescription_id: str) -> None:
    """Takes the prescription's id as the API shows it; the review event carries the key."""
    prescription_id = decode(public_prescription_id)
    events.publish(db, PrescriptionReviewDecided(prescription_id=prescription_id, review_id=prescription_id,
                                                 outcome="approved", pharmacist_user_id=None, reason="",
                                                 signature="sm2:test"))
    db.commit()


def approved_prescription(client, db: Session, *, quantity: int) -> tuple[Scenario, dict]:
    s, rx = signed_prescription(client, db, quantity=quantity)
    approve(db, rx["id"])
    return s, rx
