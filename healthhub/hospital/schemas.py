"""Request bodies of the hospital API (responses are the frozen views, serialised as JSON)."""
import base64
import binascii
from datetime import date

from pydantic import BaseModel, Field, field_validator

from healthhub.core.errors import RuleViolation
from healthhub.core.inputs import BodyId, Measure
from healthhub.hospital.rules import MAX_IMAGE_BYTES, normalize_icd10


def decode_image(value: str | None) -> bytes | None:
    """Images travel as base64 (optionally a data: URL); type and size are checked on the bytes."""
    if value is None:
        return None
    payload = value.split(",", 1)[-1]
    if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 8:
        raise RuleViolation("图片过大，上限 5 MB / image larger than 5 MB", code="image-too-large")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RuleViolation("图片须为 base64 编码 / image must be base64 encoded", code="bad-image") from exc


class ConditionIn(BaseModel):
    code: str = Field(max_length=16, description="ICD-10, e.g. I10, E11.9")
    name: str = Field(min_length=1, max_length=100)

    @field_validator("code")
    @classmethod
    def _icd10(cls, value: str) -> str:
        # Checked here too, not only in the service, so the error names the field (conditions[1].code).
        try:
            return normalize_icd10(value)
        except RuleViolation as exc:
            raise ValueError(exc.detail) from exc


class HealthIn(BaseModel):
    weight_kg: Measure | None = Field(None, ge=0.3, le=400)
    pregnant: bool = False
    lactating: bool = False
    allergies: list[str] = Field(default_factory=list, max_length=50)
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=50)


class PatientIn(BaseModel):
    relationship: str = Field(max_length=16)
    name: str = Field(max_length=32)
    id_number: str = Field(max_length=18)
    guardian_relationship: str | None = Field(None, max_length=16)
    health: HealthIn = Field(default_factory=HealthIn)


class RecordIn(BaseModel):
    record_type: str = Field(max_length=16)
    institution: str = Field(max_length=64)
    visit_date: date
    diagnosis_code: str = Field(max_length=16)
    diagnosis_text: str = Field(max_length=200)
    image_base64: str | None = None


class SealIn(BaseModel):
    reason: str = Field("", max_length=200)


class ConsultationIn(BaseModel):
    patient_id: BodyId
    department_id: BodyId
    complaint: str = Field(max_length=2000)
    record_id: BodyId | None = None


class ReauthIn(BaseModel):
    method: str = Field("password", max_length=16)
    secret: str = Field(min_length=1, max_length=256)


class PinIn(BaseModel):
    password: str = Field(min_length=1, max_length=256)
    pin: str = Field(max_length=6)


class DiagnosisIn(BaseModel):
    diagnoses: list[ConditionIn] = Field(min_length=1, max_length=10)
    advice: str = Field("", max_length=2000)
    emergency: bool = False


class TerminateIn(BaseModel):
    reason: str = Field(max_length=32)
    note: str = Field("", max_length=500)


class MessageIn(BaseModel):
    text: str | None = Field(None, max_length=2000)
    image_base64: str | None = None


class SealedReadIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)
