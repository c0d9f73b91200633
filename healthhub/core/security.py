"""Passwords (argon2), JWT access/refresh tokens and opaque random tokens."""
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from healthhub.core.config import get_settings
from healthhub.core.crypto import sm3_hex

_password_hash = PasswordHash((Argon2Hasher(),))
# Verifying against this when the user does not exist keeps response times alike (no user enumeration).
_DUMMY_HASH = _password_hash.hash("dummy-password-for-timing")
JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    return _password_hash.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None


def create_token(subject: str, kind: str, lifetime: timedelta, **claims: Any) -> str:
    now = datetime.now(UTC)
    payload = {"sub": subject, "typ": kind, "iat": now, "exp": now + lifetime, "jti": secrets.token_hex(12), **claims}
    return jwt.encode(payload, get_settings().secret_key, algorithm=JWT_ALGORITHM)


def decode_token(token: str, kind: str) -> dict[str, Any]:
    """Raises jwt.PyJWTError for a bad, expired or wrong-kind token."""
    payload = jwt.decode(token, get_settings().secret_key, algorithms=[JWT_ALGORITHM],
                         options={"require": ["exp", "sub", "typ", "jti"]})
    if payload.get("typ") != kind:
        raise jwt.InvalidTokenError(f"expected a {kind} token")
    return payload


def token_user_id(claims: dict[str, Any]) -> int:
    """The user id in `sub`. A token we did not mint may carry anything there: refuse it as a bad token
    (401), never let it reach int() or the database (a 500, or an out-of-range bigint)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit() or len(subject) > 18:
        raise jwt.InvalidTokenError("sub must be a user id")
    return int(subject)


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Stored instead of the token itself, so a database leak yields no usable sessions or keys."""
    return sm3_hex(token)
