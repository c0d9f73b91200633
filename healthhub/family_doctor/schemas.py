from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from healthhub.core.inputs import BodyId
from healthhub.core.public_ids import PublicId


class PackageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=2, max_length=64)
    description: str = Field(default="", max_length=2000)
    price_cents: int = Field(ge=0, le=10_000_000)
    period_days: int = Field(ge=1, le=1095)
    included_consultations: int = Field(ge=0, le=1000)
    response_minutes: int = Field(ge=1, le=1440)
    members_covered: int = Field(ge=1, le=10)
    active: bool = True


class PackageOut(PackageIn):
    model_config = ConfigDict(from_attributes=True)

    id: PublicId


class SubscribeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    package_id: BodyId
    member_patient_ids: list[BodyId] = Field(min_length=1, max_length=10)


class PurchaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: PublicId
    subscription_id: PublicId
    kind: str
    amount_cents: int
    status: str
    payment_ref: str | None
    created_at: datetime
    paid_at: datetime | None


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: PublicId
    account_user_id: PublicId
    package_id: PublicId
    package_name: str
    status: str
    member_patient_ids: list[PublicId]
    starts_at: datetime | None
    ends_at: datetime | None
    consultations_total: int
    consultations_used: int
    consultations_left: int
    response_minutes: int
