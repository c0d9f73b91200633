from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.crypto import EncryptedString
from healthhub.core.db import Base, TimestampMixin


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # PII: ciphertext only; the blind index allows lookups and uniqueness without plain text.
    mobile: Mapped[str | None] = mapped_column(EncryptedString())
    mobile_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number: Mapped[str | None] = mapped_column(EncryptedString())
    id_number_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]


class LoginFailure(Base):
    """Failed logins of one (typed username, client address) pair, and its lockout.

    Per pair rather than per account, so that failing from one address never locks the owner out
    at another. Kept for unknown usernames too (an unknown name must behave like a known one); the
    name is stored only as a keyed digest, since people sometimes type their password into it.
    """

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("account_key", "client_ip"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    lockouts: Mapped[int] = mapped_column(default=0)  # so far; each doubles the next lockout
    locked_until: Mapped[datetime | None]
    last_failed_at: Mapped[datetime] = mapped_column(index=True)


class UserSession(Base):
    """A browser session for pages; the cookie holds a random token, the table only its digest."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    client_ip: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(Base):
    """Rotated on every use; presenting a used one revokes the whole family (token theft)."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
