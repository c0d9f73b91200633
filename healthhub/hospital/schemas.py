"""Request bodies of the hospital API (responses are the frozen views, serialised as JSON)."""
from pydantic import BaseModel, Field

from healthhub.core.inputs import BodyId
from healthhub.patients.schemas import ConditionIn


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
