"""Request and response shapes of the review service API (the review contract itself is schemas.py)."""
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from healthhub.core.public_ids import PublicId
from healthhub.review.schemas import ReviewResponse, Severity


class ReviewOut(ReviewResponse):
    """The contract's response plus where the review lives in the service."""

    review_id: PublicId
    status: str


class ReviewSummary(BaseModel):
    id: PublicId
    tenant_id: PublicId | None
    source: str
    source_ref: str | None
    patient_ref: str | None
    patient_label: str | None
    verdict: str
    max_severity: str | None
    findings: int
    status: str
    double_signed: bool
    kb_version: str
    created_at: datetime
    queued_at: datetime | None
    decided_at: datetime | None


class ReviewDetail(ReviewSummary):
    request: dict[str, Any]
    response: dict[str, Any]
    overrides_applied: list[dict[str, Any]]
    engine_us: int
    confirmation_question: str | None
    doctor_comment: str | None
    doctor_confirmed_at: datetime | None
    confirming_doctor: dict[str, Any] | None
    decided_by_user_id: PublicId | None
    decision_reason: str | None
    signature: str | None
    signature_valid: bool | None


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=500, description="required when warnings are approved "
                             "without the prescriber's double signature")


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=500)


class AskDoctorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(max_length=500)


class ConfirmingDoctorIn(BaseModel):
    """The clinic's doctor who re-signs (RV-05): a name and the practising licence number, the doctor's id
    in the clinic's own system, or both."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=64)
    licence_no: str | None = Field(default=None, min_length=4, max_length=32, description="医师执业证书编码")
    external_id: str | None = Field(default=None, min_length=1, max_length=64,
                                    description="the doctor's id in the clinic's system")

    @model_validator(mode="after")
    def _identified(self) -> "ConfirmingDoctorIn":
        if not (self.licence_no or self.external_id):
            raise ValueError("请提供医师执业证书编码或诊所系统内的医生编号 / give licence_no or external_id")
        return self


class DoctorConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doctor: ConfirmingDoctorIn
    comment: str = Field(default="", max_length=500)


WEBHOOK_URL_RULE = ("https URL of a host whose every address is public; a host in HEALTHHUB_WEBHOOK_ALLOWED_HOSTS "
                    "may be internal and plain http. Checked again at each delivery, after DNS resolution.")


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=3, max_length=32)
    name: str = Field(min_length=2, max_length=100)
    webhook_url: str | None = Field(default=None, max_length=500, description=WEBHOOK_URL_RULE)
    auto_approve_pass: bool = False


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=2, max_length=100)
    webhook_url: str | None = Field(default=None, max_length=500, description=WEBHOOK_URL_RULE)
    auto_approve_pass: bool | None = None
    status: str | None = Field(default=None, pattern="^(active|suspended)$")


class TenantOut(BaseModel):
    id: PublicId
    code: str
    name: str
    status: str
    webhook_url: str | None
    auto_approve_pass: bool
    created_at: datetime


class TenantCreated(TenantOut):
    api_key: str = Field(description="shown once; store it now")
    webhook_secret: str = Field(description="shown once; store it now")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(default="API 密钥", min_length=1, max_length=64)


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grace_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60,
                               description="how long the old key keeps working (0 = stops at once)")


class KeyOut(BaseModel):
    id: PublicId
    label: str
    prefix: str
    state: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class KeyCreated(KeyOut):
    api_key: str = Field(description="shown once; store it now")


class SecretOut(BaseModel):
    webhook_secret: str = Field(description="shown once; store it now")


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    role: str = Field(pattern="^(clinic_admin|pharmacist)$")


class MemberOut(BaseModel):
    user_id: PublicId
    username: str
    display_name: str
    role: str


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disabled: bool = False
    severity: Severity | None = None


class OverrideOut(BaseModel):
    rule: str
    disabled: bool
    severity: str | None
    updated_at: datetime


class RuleOut(BaseModel):
    id: str
    family: str
    severity: str
    description: str | None = None
    locked: bool = Field(description="the law's floor (BANNED, FORMAT, and what the engine cannot check for a "
                                     "patient at risk: unknown drug, child's dose without weight, no paediatric "
                                     "data): never lowered below it nor disabled")


class DeliveryOut(BaseModel):
    id: PublicId
    event_id: str
    event_type: str
    review_id: PublicId | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class DayUsageOut(BaseModel):
    day: date
    total: int
    verdicts: dict[str, int]


class UsageOut(BaseModel):
    tenant_id: PublicId | None
    days: list[DayUsageOut]
    total: int
    verdicts: dict[str, int]
    statuses: dict[str, int]


class ThroughputOut(BaseModel):
    pharmacist_user_id: PublicId
    pharmacist_name: str
    day: date
    decided: int


class SlaOut(BaseModel):
    tenant_id: PublicId | None
    decided: int
    wait_p50_minutes: float | None
    wait_p90_minutes: float | None
    pending: int
    awaiting_doctor: int
    oldest_pending_minutes: float | None
    throughput: list[ThroughputOut]
