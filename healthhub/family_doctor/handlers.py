"""Reactions to the internet hospital and to payments, delivered in the publisher's transaction: a consultation
requested by a covered patient consumes an included consultation; cancelled from the queue, it gives it back.
A captured payment of a purchase makes the purchase take effect (payment events of other payables are not ours)."""
from sqlalchemy.orm import Session

from healthhub.core.db import utcnow
from healthhub.core.events import handles
from healthhub.family_doctor import purchases
from healthhub.family_doctor.service import consume_for_consultation, release_for_consultation
from healthhub.hospital.events import ConsultationClosed, ConsultationRequested
from healthhub.payments.events import PaymentCaptured


@handles(ConsultationRequested)
def consultation_requested(session: Session, event: ConsultationRequested) -> None:
    consume_for_consultation(session, account_user_id=event.account_user_id, patient_id=event.patient_id,
                             consultation_id=event.consultation_id, now=utcnow())


@handles(ConsultationClosed)
def consultation_closed(session: Session, event: ConsultationClosed) -> None:
    # A cancel is the one ending without care: it is allowed only while the request waits in the queue.
    if event.status == "cancelled":
        release_for_consultation(session, consultation_id=event.consultation_id, now=utcnow())


@handles(PaymentCaptured)
def purchase_paid(session: Session, event: PaymentCaptured) -> None:
    if event.payable_kind == purchases.PAYABLE_KIND:
        purchases.on_payment_captured(session, payment_id=event.payment_id, now=event.at)


HANDLERS = [consultation_requested, consultation_closed, purchase_paid]
