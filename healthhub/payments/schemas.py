"""The payment as the payables' APIs show it, and what a payer sends to start one."""
from pydantic import BaseModel, ConfigDict, Field

from healthhub.core.public_ids import PublicId


class PayIn(BaseModel):
    provider: str = Field("sandbox", max_length=16)


class PaymentOut(BaseModel):
    """Built from a `views.PaymentView` (`PaymentOut.model_validate(view)`)."""

    model_config = ConfigDict(from_attributes=True)

    id: PublicId
    provider: str
    status: str
    amount_cents: int
    captured_cents: int
    refunded_cents: int
    redirect_url: str
