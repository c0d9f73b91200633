"""Family-doctor (京东家医) packages, subscriptions and entitlement uses. Money is integer cents."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
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
    """A subscribe or renew payment. Paid once (sandbox now, the payment domain later) it takes effect."""

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
    """One included consultation consumed; unique per consultation so a retry never consumes twice."""

    __tablename__ = "fd_entitlement_uses"
    __table_args__ = (UniqueConstraint("subscription_id", "consultation_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("fd_subscriptions.id"), index=True)
    patient_id: Mapped[int]
    consultation_ref: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
