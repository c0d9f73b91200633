"""E-prescription tables. Other domains' rows (patients, doctors, consultations) are referenced by id
only; what the prescription must prove later (patient, doctor, diagnosis) is copied in as a snapshot
and covered by the doctor's SM2 signature."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthhub.core.crypto import EncryptedString
from healthhub.core.db import Base, TimestampMixin, utcnow


class DoctorSigningKey(Base):
    """One SM2 key pair per doctor; the private key is SM4-encrypted at rest (field cipher)."""

    __tablename__ = "rx_signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doctor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    algorithm: Mapped[str] = mapped_column(String(16), default="SM2-SM3")
    public_key: Mapped[str] = mapped_column(String(130))
    private_key: Mapped[str] = mapped_column(EncryptedString())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Prescription(TimestampMixin, Base):
    __tablename__ = "rx_prescriptions"
    __table_args__ = (UniqueConstraint("number", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # One number for all versions of a prescription; a revision after RETURNED gets version + 1.
    number: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("rx_prescriptions.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("rx_prescriptions.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)

    consultation_id: Mapped[int] = mapped_column(index=True)
    patient_id: Mapped[int] = mapped_column(index=True)
    account_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    doctor_id: Mapped[int] = mapped_column(index=True)
    doctor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    patient_label: Mapped[str] = mapped_column(String(32))  # masked name for lists and the review queue
    patient_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    doctor_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    diagnoses: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"code", "name"}]
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    long_term: Mapped[bool] = mapped_column(Boolean, default=False)
    extended_reason: Mapped[str | None] = mapped_column(String(500))
    patient_confirmed_long_term: Mapped[bool] = mapped_column(Boolean, default=False)
    validity_days: Mapped[int] = mapped_column(default=0)
    kb_version: Mapped[str] = mapped_column(String(32))

    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    expires_at: Mapped[datetime | None]  # end of valid_until in China Standard Time, as UTC
    signed_at: Mapped[datetime | None]  # trusted time: the server's UTC clock
    signing_key_id: Mapped[int | None] = mapped_column(ForeignKey("rx_signing_keys.id"))
    content_digest: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(160))

    review_id: Mapped[str | None] = mapped_column(String(64))
    pharmacist_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_signature: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    # RV-05: the pharmacist asks the prescriber to confirm; the doctor re-signs (double sign).
    confirmation_question: Mapped[str | None] = mapped_column(Text)
    confirmation_findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    confirmation_requested_at: Mapped[datetime | None]
    doctor_confirmed_at: Mapped[datetime | None]
    doctor_confirm_comment: Mapped[str | None] = mapped_column(String(500))
    doctor_confirm_signature: Mapped[str | None] = mapped_column(String(160))

    used_order_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    used_at: Mapped[datetime | None]

    items: Mapped[list["PrescriptionItem"]] = relationship(
        back_populates="prescription", order_by="PrescriptionItem.line_no", cascade="all, delete-orphan")


class PrescriptionItem(Base):
    __tablename__ = "rx_items"
    __table_args__ = (UniqueConstraint("prescription_id", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("rx_prescriptions.id"), index=True)
    line_no: Mapped[int]
    knowledge_key: Mapped[str] = mapped_column(String(64))
    generic_name: Mapped[str] = mapped_column(String(100))  # approved Chinese generic name (RX-05)
    dose: Mapped[str] = mapped_column(String(16))  # decimal text, kept as written so the signature is stable
    unit: Mapped[str] = mapped_column(String(8))
    frequency: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(16))
    days: Mapped[int]
    quantity: Mapped[int]  # packages
    note: Mapped[str] = mapped_column(String(200), default="")

    prescription: Mapped[Prescription] = relationship(back_populates="items")


class PrescriptionStatusChange(Base):
    """Every transition with who caused it: the traceable history (IDT-12) shown on the detail page."""

    __tablename__ = "rx_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("rx_prescriptions.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
