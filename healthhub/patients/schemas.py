"""Request bodies of the patient registry API (responses are the frozen views, serialised as JSON)."""
from datetime import date

from pydantic import BaseModel, Field, field_validator

from healthhub.core.errors import RuleViolation
from healthhub.core.icd10 import normalize_icd10
from healthhub.core.inputs import Measure

# The choices the registry's forms offer and its service accepts.
RELATIONSHIPS = ("本人", "配偶", "子女", "父母", "祖父母", "外祖父母", "兄弟姐妹", "其他")
GUARDIAN_RELATIONSHIPS = ("父亲", "母亲", "祖父母", "外祖父母", "其他法定监护人")
RECORD_TYPES = ("门诊病历", "住院病历", "出院小结", "诊断证明")


class ConditionIn(BaseModel):
    """An ICD-10 coded condition or diagnosis (the internet hospital's diagnoses use it too)."""

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
