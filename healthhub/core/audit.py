"""Append-only audit log, every entry chained to the previous one by an SM3 hash (IDT-12, DP-04).

Appends are serialised through the single `audit_head` row (row lock on PostgreSQL, the write
lock on SQLite) so the chain never forks under concurrency. Deleting, editing or reordering any
entry, including the newest, breaks `verify_chain`. Database triggers refuse UPDATE and DELETE.
"""
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from healthhub.core.context import actor_var, client_ip_var, request_id_var
from healthhub.core.crypto import sm3_hex
from healthhub.core.db import Base, utcnow

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))


def _canonical(entry: AuditEntry) -> str:
    return json.dumps({
        "seq": entry.seq, "at": entry.occurred_at.isoformat(), "actor_id": entry.actor_id,
        "actor": entry.actor_name, "role": entry.actor_role, "action": entry.action,
        "entity": f"{entry.entity_type}:{entry.entity_id}", "ip": entry.client_ip, "rid": entry.request_id,
        "detail": entry.detail, "prev": entry.prev_hash,
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def record(session: Session, *, action: str, entity_type: str, entity_id: Any,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction: it commits or rolls back with the change it describes."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    actor = actor_var.get()
    entry = AuditEntry(
        seq=head.last_seq + 1, occurred_at=utcnow().replace(microsecond=0), actor_id=actor.user_id,
        actor_name=actor.username, actor_role=actor.role, action=action, entity_type=entity_type,
        entity_id=str(entity_id), client_ip=client_ip_var.get(), request_id=request_id_var.get(),
        detail=json.loads(json.dumps(detail or {}, default=str)), prev_hash=head.last_hash,
    )
    entry.entry_hash = sm3_hex(_canonical(entry))
    head.last_seq, head.last_hash = entry.seq, entry.entry_hash
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(session: Session, *, batch: int = 5000) -> Iterator[tuple[int, ChainProblem | None]]:
    """Yields (seq checked, problem or None) so long checks can show progress."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    last_seq = 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)).scalars():
        problem = None
        if entry.seq != expected_seq:
            problem = ChainProblem(expected_seq, f"entries {expected_seq}..{entry.seq - 1} are missing")
        elif entry.prev_hash != expected_prev:
            problem = ChainProblem(entry.seq, "link to the previous entry is broken")
        elif sm3_hex(_canonical(entry)) != entry.entry_hash:
            problem = ChainProblem(entry.seq, "entry content was changed after it was written")
        yield entry.seq, problem
        expected_prev, expected_seq, last_seq = entry.entry_hash, entry.seq + 1, entry.seq
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != last_seq or head.last_hash != expected_prev):
        yield last_seq, ChainProblem(head.last_seq, "newest entries were removed (head does not match)")


def count_entries(session: Session) -> int:
    head = session.get(AuditHead, 1)
    return head.last_seq if head else 0
