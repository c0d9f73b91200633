"""Family-doctor (HealthHub 家庭医生) packages, subscriptions and entitlement uses. Money is integer cents."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.db import Base, TimestampMixin, utcnow


class ServicePackage(TimestampMixin, Base):
    __tablename__ = "fd_packages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int]
    period_days: Mapped[int]
    included_consultations: Mapped[int]
    response_minutes: Mapped[int]  # promised time to the doctor's first reply
    members_covered: Mapped[int]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Subscription(TimestampMixin, Base):
    """One account's contract for a package; renewals extend it from its current end."""

    __tablename__ = "fd_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("fd_packages.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # PENDING_PAYMENT | ACTIVE | EXPIRED
    member_patient_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    consultations_total: Mapped[int] = mapped_column(default=0)
    consultations_used: Mapped[int] = mapped_column(default=0)


class Purchase(Base):
    """A subscribe or renew to pay. It takes effect once paid through the payments domain (payable kind
    "family_doctor_purchase"); `payment_ref` is the provider reference of the payment that paid it."""

    __tablename__ = "fd_purchases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("fd_subscriptions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # subscribe | renew
    amount_cents: Mapped[int]
    period_days: Mapped[int]
    consultations: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # PENDING | PAID
    payment_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]


class EntitlementUse(Base):
    """One included consultation consumed by a real hospital consultation (by id; no foreign key across
    domains). One use per consultation, so a replayed event never consumes twice. A request the patient
    cancels while it waits in the queue gives the consultation back (`released_at`); the row stays."""

    __tablename__ = "fd_entitlement_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("fd_subscriptions.id"), index=True)
    patient_id: Mapped[int]
    # None only on uses recorded before uses were tied to consultations (their old free-text
    # reference is kept in detail["legacy_consultation_ref"]).
    consultation_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    used_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
