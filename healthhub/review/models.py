"""Review service tables: tenants (clinics) with keys, members and rule overrides; every review with
its workflow state; the webhook outbox.

A review row keeps the request and the engine's response exactly as they were, because the
pharmacist's SM2 signature is computed over them and must stay verifiable.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.crypto import EncryptedString
from healthhub.core.db import Base, TimestampMixin, utcnow


class Tenant(TimestampMixin, Base):
    """A clinic using the cloud review centre."""

    __tablename__ = "review_tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | suspended
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    # Needed in clear to sign each delivery, so it is encrypted (SM4) rather than hashed.
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedString())
    # The clinic's choice to release at once what the engine, before the clinic's own overrides, found
    # nothing in and checked completely (decisions.auto_pass_allowed, RV-04); everything else waits.
    auto_approve_pass: Mapped[bool] = mapped_column(default=False)


class ApiKey(Base):
    __tablename__ = "review_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("review_tenants.id"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists so people can tell keys apart
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None]  # set on rotation with a grace period
    revoked_at: Mapped[datetime | None]
    replaced_by_id: Mapped[int | None] = mapped_column(Integer)
    last_used_at: Mapped[datetime | None]


class TenantMember(Base):
    """clinic_admin users who manage a tenant and pharmacists assigned to review its prescriptions."""

    __tablename__ = "review_tenant_members"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("review_tenants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))  # clinic_admin | pharmacist
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleOverride(Base):
    __tablename__ = "review_rule_overrides"
    __table_args__ = (UniqueConstraint("tenant_id", "rule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("review_tenants.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    disabled: Mapped[bool] = mapped_column(default=False)
    severity: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PharmacistSigningKey(Base):
    """One SM2 key pair per pharmacist, made on the first approval; the private key is SM4-encrypted at rest."""

    __tablename__ = "review_signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pharmacist_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    algorithm: Mapped[str] = mapped_column(String(16), default="SM2-SM3")
    public_key: Mapped[str] = mapped_column(String(130))
    private_key: Mapped[str] = mapped_column(EncryptedString())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewRecord(Base):
    """One engine review and, when a pharmacist must sign, its place in the workbench queue."""

    __tablename__ = "review_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("review_tenants.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # api | clinic | prescription
    source_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    patient_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    patient_label: Mapped[str | None] = mapped_column(String(64))
    submitted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("review_api_keys.id"))
    doctor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    overrides_applied: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    verdict: Mapped[str] = mapped_column(String(8), index=True)
    kb_version: Mapped[str] = mapped_column(String(64))
    engine_us: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    queued_at: Mapped[datetime | None]
    confirmation_question: Mapped[str | None] = mapped_column(Text)
    confirmation_requested_at: Mapped[datetime | None]
    double_signed: Mapped[bool] = mapped_column(default=False)
    doctor_confirmed_at: Mapped[datetime | None]
    doctor_comment: Mapped[str | None] = mapped_column(Text)
    # Who re-signed (RV-05): {"user_id"} for the internet hospital's doctor, {"name", "licence_no" and/or
    # "external_id"} for a clinic's doctor, as the clinic states it.
    confirming_doctor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_at: Mapped[datetime | None] = mapped_column(index=True)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(String(160))  # SM2 r||s, hex
    signing_key_id: Mapped[int | None] = mapped_column(ForeignKey("review_signing_keys.id"))


class WebhookDelivery(Base):
    """Outbox row: written in the transaction that decides the review, sent later by the worker."""

    __tablename__ = "review_webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("review_tenants.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review_records.id"))
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500))
    # The exact bytes we sign and send, so retries are byte-identical.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookAttempt(Base):
    __tablename__ = "review_webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("review_webhook_deliveries.id"), index=True)
    attempt: Mapped[int]
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int]
