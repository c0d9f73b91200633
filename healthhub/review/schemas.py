"""The stable review contract (CLI, HTTP and the internet hospital all speak it).

Request and response shapes are fixed by issue #5; add optional fields only.
"""
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from healthhub.core.inputs import Measure


class Family(StrEnum):
    LEGAL = "LEGAL"
    FORMAT = "FORMAT"
    BANNED = "BANNED"
    DDI = "DDI"
    DUPLICATE = "DUPLICATE"
    DOSE = "DOSE"
    ALLERGY = "ALLERGY"
    PREGNANCY = "PREGNANCY"
    LACTATION = "LACTATION"
    AGE = "AGE"
    CONTRAINDICATION = "CONTRAINDICATION"
    INDICATION = "INDICATION"


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


class Verdict(StrEnum):
    PASS = "pass"
    REVIEW = "review"
    REJECT = "reject"


class PatientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age_years: Measure = Field(ge=0, le=130, description="fractional for infants (0.5 = six months)")
    sex: str = Field(pattern="^[MF]$")
    weight_kg: Measure | None = Field(default=None, gt=0, le=500)
    pregnant: bool = False
    lactating: bool = False
    allergies: list[str] = Field(default_factory=list, max_length=50)
    conditions: list[str] = Field(default_factory=list, max_length=50, description="ICD-10 codes")


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    drug: str = Field(min_length=1, max_length=100, description="Chinese or English generic name, or ATC code")
    dose_mg: Measure | None = Field(default=None, gt=0)
    times_per_day: Measure | None = Field(default=None, gt=0, le=24)
    route: str | None = Field(default=None, max_length=32)
    days: int | None = Field(default=None, ge=1, le=366)
    dosage_form: str | None = Field(default=None, max_length=32)


class PrescriberIn(BaseModel):
    """Optional LEGAL context; the internet hospital always sends it."""

    model_config = ConfigDict(extra="forbid")

    qualified: bool = True
    signature_valid: bool | None = None
    patient_identified: bool | None = None
    issued_on: str | None = Field(default=None, description="ISO date")
    valid_until: str | None = Field(default=None, description="ISO date")
    long_term_reason: str | None = None


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient: PatientIn
    diagnoses: list[str] = Field(default_factory=list, max_length=20)
    emergency: bool = False
    long_term: bool = False
    items: list[ItemIn] = Field(min_length=1, max_length=50)
    prescriber: PrescriberIn | None = None
    reason_for_extended_days: str | None = None


class Finding(BaseModel):
    family: Family
    rule: str
    severity: Severity
    drugs: list[str]
    message_zh: str
    message_en: str
    evidence: dict | None = None


class ReviewResponse(BaseModel):
    verdict: Verdict
    kb_version: str
    findings: list[Finding]
