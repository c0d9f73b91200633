"""API shapes for e-prescriptions. Rule checks (RX-*, IDT-*) live in rules.py, so the form can be
saved field-valid and still show every rule problem with its id."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from healthhub.core.inputs import BodyId
from healthhub.core.public_ids import PublicId
from healthhub.prescriptions.rules import MAX_VALIDITY_DAYS


class DiagnosisIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=3, max_length=16, pattern=r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$",
                      description="ICD-10 code, e.g. I10 or E11.9")
    name: str = Field(min_length=1, max_length=100)


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="generic name (Chinese or English)")
    dose: Decimal = Field(gt=0, max_digits=9, decimal_places=3, description="single dose")
    unit: str = Field(max_length=8)
    frequency: str = Field(max_length=8, description="qd, bid, tid, qid, q8h, q12h, qn, qw, prn")
    route: str = Field(max_length=16)
    days: int = Field(ge=1, le=366)
    quantity: int = Field(ge=1, le=99, description="packages")
    note: str = Field(default="", max_length=200)


class PrescriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consultation_id: BodyId
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=10)
    items: list[ItemIn] = Field(default_factory=list, max_length=20)
    emergency: bool = False
    long_term: bool = False
    extended_reason: str | None = Field(default=None, max_length=500)
    patient_confirmed_long_term: bool = False
    # RX-01: the doctor states the longest validity (issue day + 3) unless they shorten it, so a prescription
    # approved the next day can still be used.
    validity_days: int = Field(default=MAX_VALIDITY_DAYS, ge=0, le=30)

    @field_validator("extended_reason")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: bool = Field(description="the doctor confirmed the summary shown before signing")


class ConfirmIn(BaseModel):
    """RV-05: the doctor answers the pharmacist's question and signs again."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(min_length=2, max_length=500)
    confirm: bool


class RuleErrorOut(BaseModel):
    rule: str
    message: str
    field: str | None = None


class CheckOut(BaseModel):
    ok: bool
    errors: list[RuleErrorOut]


class DrugOut(BaseModel):
    key: str
    name_zh: str
    name_en: str
    rx: bool
    prescribable_online: bool
    antimicrobial: bool
    cold_chain: bool


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int
    knowledge_key: str
    generic_name: str
    dose: str
    unit: str
    frequency: str
    frequency_label: str
    route: str
    days: int
    quantity: int
    note: str


class PrescriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: PublicId
    number: str
    version: int
    status: str
    status_label: str
    consultation_id: PublicId
    patient_id: PublicId
    patient_label: str
    doctor_user_id: PublicId
    doctor_name: str
    diagnoses: list[dict]
    emergency: bool
    long_term: bool
    extended_reason: str | None
    issued_on: date | None
    valid_until: date | None
    signed_at: datetime | None
    content_digest: str | None
    signature_valid: bool | None = Field(description="null while unsigned; false means it was changed after signing")
    items: list[ItemOut]
    review_reason: str | None
    confirmation_question: str | None
    confirmation_pending: bool
    previous_id: PublicId | None
    superseded_by_id: PublicId | None
    used_order_ref: str | None
    created_at: datetime
