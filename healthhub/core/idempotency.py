"""Idempotency keys for every money or stock write: one mechanism, `idempotent(...)`.

The key is claimed first: its row is inserted (inside a savepoint) before the write runs, and filled
with the response in the same transaction. A concurrent duplicate's insert waits on the unique index
until the first transaction ends; if the first committed, the duplicate gets its stored response
(a replay), if it rolled back, the duplicate runs as if it were first. So N identical requests at
once make exactly one change, and nobody sees a 500.
"""
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from healthhub.core.db import Base, utcnow
from healthhub.core.error_codes import ErrorCode
from healthhub.core.errors import Conflict

KEY_HEADER = Header(alias="Idempotency-Key", min_length=8, max_length=128,
                    description="8–128 个字符；同一请求重试时使用同一个键 / 8–128 characters, "
                                "the same key for a retry of the same request")
# Required where the server requires it, so the OpenAPI schema says so too.
IdempotencyKey = Annotated[str, KEY_HEADER]
OptionalIdempotencyKey = Annotated[str | None, KEY_HEADER]


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


def _stored(session: Session, scope: str, owner: str, key: str, request_fingerprint: str) -> IdempotencyRecord | None:
    found = session.execute(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.owner == owner, IdempotencyRecord.key == key,
    )).scalar_one_or_none()
    if found is not None and found.fingerprint != request_fingerprint:
        raise Conflict("同一个 Idempotency-Key 已用于另一请求 / this Idempotency-Key was used for a different request",
                       code=ErrorCode.IDEMPOTENCY_KEY_REUSED)
    return found


def _replay(record: IdempotencyRecord) -> JSONResponse:
    return JSONResponse(record.response, status_code=record.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(session: Session, *, scope: str, owner: Any, key: str | None, body: Any,
               run: Callable[[], Any], status_code: int = 200) -> JSONResponse:
    """Runs `run` once per (scope, owner, key). `run` returns the JSON-able response (a dict or a pydantic
    model) or a `(status, response)` pair. Same key with another body: 409. Without a key (only where the
    header is optional) it simply runs."""
    if key is None:
        response, status = _answer(run(), status_code)
        return JSONResponse(response, status_code=status)
    owner, request_print = str(owner), fingerprint(body)
    if (earlier := _stored(session, scope, owner, key, request_print)) is not None:
        return _replay(earlier)
    claim = IdempotencyRecord(scope=scope, owner=owner, key=key, fingerprint=request_print, status_code=0,
                              response={})
    try:
        with session.begin_nested():
            session.add(claim)
    except IntegrityError:
        # A duplicate finished first (its insert held the key until it committed): answer what it answered.
        if (earlier := _stored(session, scope, owner, key, request_print)) is not None:
            return _replay(earlier)
        raise Conflict("同一请求正在处理，请稍后用同一个 Idempotency-Key 重试 / the same request is being processed, "
                       "retry with the same key", code=ErrorCode.IDEMPOTENCY_IN_PROGRESS) from None
    response, status = _answer(run(), status_code)
    claim.status_code, claim.response = status, response
    session.flush()
    return JSONResponse(response, status_code=status)


def _answer(result: Any, status_code: int) -> tuple[Any, int]:
    if isinstance(result, tuple):
        status_code, result = result
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json")
    return result, status_code
