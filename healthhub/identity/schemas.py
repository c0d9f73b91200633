from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from healthhub.core.identity_numbers import normalize_mobile, parse_resident_id
from healthhub.core.public_ids import PublicId
from healthhub.identity.roles import Role


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(BaseModel):
    refresh_token: str


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    role: Role
    # Checked against the password policy by identity.service (identity.passwords), which knows the username.
    password: str = Field(max_length=256)
    mobile: str | None = None
    id_number: str | None = None

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        return None if value is None else normalize_mobile(value)

    @field_validator("id_number")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return None if value is None else parse_resident_id(value).number


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: PublicId
    username: str
    display_name: str
    role: Role
    mobile_masked: str | None = None
    id_number_masked: str | None = None
    is_active: bool
    created_at: datetime
