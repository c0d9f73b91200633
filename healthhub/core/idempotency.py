"""Idempotency keys for every money or stock write.

The stored response is written in the same transaction as the change, so a retry either sees
the finished result or finds nothing and runs again. A concurrent duplicate trips the unique
constraint and its transaction rolls back whole.
"""
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from healthhub.core.db import Base, utcnow
from healthhub.core.errors import AppError, Conflict


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "owner", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def validate_key(key: str | None) -> str:
    if not key or not (8 <= len(key) <= 128):
        raise AppError("写操作需要 Idempotency-Key 请求头（8–128个字符）/ an Idempotency-Key header of 8–128 characters "
                       "is required", code="idempotency-key-required", status=400)
    return key


def replay(session: Session, *, scope: str, owner: Any, key: str, request_fingerprint: str) -> IdempotencyRecord | None:
    """The stored outcome of an earlier identical request, or None. Same key, other body: 409."""
    found = session.execute(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.owner == str(owner), IdempotencyRecord.key == key,
    )).scalar_one_or_none()
    if found is not None and found.fingerprint != request_fingerprint:
        raise Conflict("同一个 Idempotency-Key 已用于另一请求 / this Idempotency-Key was used for a different request",
                       code="idempotency-key-reused")
    return found


def remember(session: Session, *, scope: str, owner: Any, key: str, request_fingerprint: str,
             status_code: int, response: dict[str, Any]) -> None:
    session.add(IdempotencyRecord(scope=scope, owner=str(owner), key=key, fingerprint=request_fingerprint,
                                  status_code=status_code, response=response))
    session.flush()
