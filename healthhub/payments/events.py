"""What the owner of a payable learns about its money. Each event names the payable by `(payable_kind,
payable_id)`; a subscriber acts on its own kind only ("order": orders/handlers.py, "family_doctor_purchase":
family_doctor/handlers.py) and reads the figures through `payments.service.get_payment`."""
from datetime import datetime

from healthhub.core.events import domain_event


@domain_event("payments.captured")
class PaymentCaptured:
    """The provider captured money that is still held (not refunded in the same snapshot)."""

    payment_id: int
    payable_kind: str
    payable_id: int
    at: datetime


@domain_event("payments.refunded_by_provider")
class PaymentRefundedByProvider:
    """The provider refunded on its own (e.g. from its merchant portal), not at our request."""

    payment_id: int
    payable_kind: str
    payable_id: int
    amount_cents: int
    at: datetime
