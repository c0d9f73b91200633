"""Payments for anything a user pays: our record of each payment attempt, the refunds and provider events
applied to it, and the sandbox provider's own ledger and callback outbox.

What is paid for belongs to another domain and is named by `(payable_kind, payable_id)` without a ForeignKey
("order" in orders, "family_doctor_purchase" in family_doctor, ...), so this branch needs no other domain's
tables; the paying user is the one foreign key (users.id). Amounts are integer cents of CNY, the only
currency the platform takes.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.db import Base, TimestampMixin, utcnow


class Payment(TimestampMixin, Base):
    """Our record of one payment attempt; the provider's state is mirrored from signed callbacks."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("provider", "provider_ref"),
                      Index("ix_payments_payable", "payable_kind", "payable_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payable_kind: Mapped[str] = mapped_column(String(32))
    payable_id: Mapped[int] = mapped_column(Integer)
    payer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_ref: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))  # pending|succeeded|failed|cancelled|refunded|partially_refunded
    amount_cents: Mapped[int] = mapped_column(Integer)
    captured_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Highest provider event sequence applied: older events arriving late are stale and ignored.
    provider_seq: Mapped[int] = mapped_column(Integer, default=0)
    redirect_url: Mapped[str] = mapped_column(String(200))


class PaymentRefund(Base):
    __tablename__ = "payment_refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    provider_ref: Mapped[str] = mapped_column(String(64), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentEvent(Base):
    """Every provider callback we accepted, keyed by the provider's event id (duplicates apply once)."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(40))
    provider_ref: Mapped[str] = mapped_column(String(64), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(24))  # applied | stale | unknown-payment
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SandboxIntent(Base):
    """The sandbox provider's own ledger (what a real provider keeps on its side)."""

    __tablename__ = "sandbox_intents"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_reference: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer)
    captured_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(24))  # requires_payment|succeeded|failed|cancelled|refunded|...
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    return_url: Mapped[str] = mapped_column(String(200))
    callback_url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SandboxCallback(Base):
    """Outbox of signed callbacks; delivered after commit and re-deliverable until acknowledged."""

    __tablename__ = "sandbox_callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    intent_id: Mapped[str] = mapped_column(String(40), index=True)
    target_url: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
