"""Patient registry tables: the people who consult, held under one patient account, their DP-02 consent
and the earlier diagnoses they bring (IDT-02). The tables keep the names they had under the internet
hospital. Medical rows are never deleted (IDT-11): a deletion request seals them (DP-03, `sealed_at`)."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.crypto import EncryptedString
from healthhub.core.db import Base, TimestampMixin, utcnow
from healthhub.core.retention import Retained


class Patient(Retained, TimestampMixin, Base):
    """A person who consults, held under one patient account (the account holder or a family member)."""

    __tablename__ = "hospital_patients"
    __table_args__ = (UniqueConstraint("account_user_id", "id_number_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    relationship: Mapped[str] = mapped_column(String(16))  # 本人 | 配偶 | 子女 | 父母 | 其他
    name: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(EncryptedString())
    id_number_index: Mapped[str] = mapped_column(String(64), index=True)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    weight_kg: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    lactating: Mapped[bool] = mapped_column(Boolean, default=False)
    allergies: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"code", "name"}]
    # Minors: the account holder is the guardian; this states how they are related to the child.
    guardian_relationship: Mapped[str | None] = mapped_column(String(16))
    # IDT-01: the end of the paid family-doctor contract periods covering this person (contracted care may
    # go online without an earlier diagnosis). The family-doctor domain keeps it; None: never covered.
    family_contract_until: Mapped[datetime | None]
    sealed_at: Mapped[datetime | None]
    sealed_reason: Mapped[str | None] = mapped_column(String(200))


class Consent(Base):
    """DP-02 separate consent to process health data; withdrawing keeps the row (evidence)."""

    __tablename__ = "hospital_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("hospital_patients.id"), index=True)
    notice_version: Mapped[str] = mapped_column(String(16))
    granted_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_as: Mapped[str] = mapped_column(String(16))  # self | guardian | authorised
    granted_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class MedicalRecord(Retained, Base):
    """An earlier diagnosis from a physical visit (IDT-02), uploaded by the patient's account."""

    __tablename__ = "hospital_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("hospital_patients.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(16))
    institution: Mapped[str] = mapped_column(String(64))
    visit_date: Mapped[date] = mapped_column(Date)
    diagnosis_code: Mapped[str] = mapped_column(String(16))
    diagnosis_text: Mapped[str] = mapped_column(String(200))
    image_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_mime: Mapped[str | None] = mapped_column(String(16))
    uploaded_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retain_until: Mapped[date] = mapped_column(Date)
    sealed_at: Mapped[datetime | None]
