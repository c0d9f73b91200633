"""Append-only audit log, hash-chained per partition (IDT-12, DP-04).

One chain would need one head row that every audited write locks until it commits, so every writer
of the platform would queue behind every other. Entries are therefore spread over `PARTITIONS`
chains by a hash of the entity they describe; each chain has its own head row, locked only by the
writers of that partition. A transaction keeps the partition of its first entry for all its later
entries, so it holds at most one head lock and two transactions never deadlock on heads.

Within a partition each entry carries its position and the SM3 hash of the previous entry, so
deleting, editing or reordering any entry, including the newest, breaks `verify_chain`. Database
triggers refuse UPDATE and DELETE. Whoever bypasses them and re-hashes a whole partition is caught
by the signed checkpoints kept outside the database (core/audit_checkpoints.py).

`seq` is a global ordering number from a sequence (no lock); the hash covers partition and position.
"""
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from healthhub.core.context import actor_var, client_ip_var, request_id_var
from healthhub.core.crypto import sm3_hex
from healthhub.core.db import Base, utcnow

GENESIS_HASH = "0" * 64
PARTITIONS = 16
# The single chain written before partitioning; kept and verified as it was hashed, never appended to.
LEGACY_PARTITION = "legacy"
_SESSION_PARTITION = "audit_partition"


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_partition_position", "partition", "position", unique=True),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    partition: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
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
    """The newest entry of one partition; its row lock serialises appends to that partition only."""
    __tablename__ = "audit_head"

    partition: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_position: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))


def partition_for(entity_type: str, entity_id: Any) -> str:
    return f"p{zlib.crc32(f'{entity_type}:{entity_id}'.encode()) % PARTITIONS:02d}"


def hash_entry(entry: AuditEntry) -> str:
    content = {
        "seq": entry.position, "at": entry.occurred_at.isoformat(), "actor_id": entry.actor_id,
        "actor": entry.actor_name, "role": entry.actor_role, "action": entry.action,
        "entity": f"{entry.entity_type}:{entry.entity_id}", "ip": entry.client_ip, "rid": entry.request_id,
        "detail": entry.detail, "prev": entry.prev_hash,
    }
    if entry.partition != LEGACY_PARTITION:
        content["partition"] = entry.partition
    return sm3_hex(json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str))


def _transaction_partition(session: Session, entity_type: str, entity_id: str) -> str:
    session.connection()  # begins the transaction, so the first entry and the later ones see the same one
    transaction = session.get_transaction()
    held = session.info.get(_SESSION_PARTITION)
    if held is not None and held[0] is transaction:
        return held[1]
    partition = partition_for(entity_type, entity_id)
    session.info[_SESSION_PARTITION] = (transaction, partition)
    return partition


def _locked_head(session: Session, partition: str) -> AuditHead:
    # populate_existing: a session that outlives a commit must not trust a head another process has moved.
    query = (select(AuditHead).where(AuditHead.partition == partition).with_for_update()
             .execution_options(populate_existing=True))
    head = session.execute(query).scalar_one_or_none()
    if head is None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        # Two first writers of a partition may race; the loser waits for the winner's row, then locks it.
        session.execute(dialect.insert(AuditHead).values(partition=partition, last_position=0, last_hash=GENESIS_HASH)
                        .on_conflict_do_nothing())
        head = session.execute(query).scalar_one()
    return head


def record(session: Session, *, action: str, entity_type: str, entity_id: Any,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction: it commits or rolls back with the change it describes."""
    head = _locked_head(session, _transaction_partition(session, entity_type, str(entity_id)))
    actor = actor_var.get()
    entry = AuditEntry(
        partition=head.partition, position=head.last_position + 1, occurred_at=utcnow().replace(microsecond=0),
        actor_id=actor.user_id, actor_name=actor.username, actor_role=actor.role, action=action,
        entity_type=entity_type, entity_id=str(entity_id), client_ip=client_ip_var.get(),
        request_id=request_id_var.get(), detail=json.loads(json.dumps(detail or {}, default=str)),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = hash_entry(entry)
    head.last_position, head.last_hash = entry.position, entry.entry_hash
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    where: str  # "entry 496", "partition p03 position 12", "checkpoint 9f2c..."
    problem: str


def _head_problem(head: AuditHead | None, partition: str, last_position: int, last_hash: str) -> ChainProblem | None:
    if head is not None and (head.last_position, head.last_hash) == (last_position, last_hash):
        return None
    expected = head.last_position if head else last_position
    return ChainProblem(f"partition {partition} position {expected}",
                        "newest entries were removed (head does not match)" if head
                        else "partition has entries but no head")


def verify_chain(session: Session, *, batch: int = 5000) -> Iterator[tuple[int, ChainProblem | None]]:
    """Checks every partition's chain; yields (entries checked so far, problem or None) to show progress."""
    heads = {head.partition: head for head in session.execute(select(AuditHead)).scalars()}
    checked, partition, expected_position, expected_prev = 0, None, 1, GENESIS_HASH
    entries = select(AuditEntry).order_by(AuditEntry.partition, AuditEntry.position).execution_options(yield_per=batch)
    for entry in session.execute(entries).scalars():
        if entry.partition != partition:
            if partition is not None and (problem := _head_problem(heads.pop(partition, None), partition,
                                                                   expected_position - 1, expected_prev)):
                yield checked, problem
            partition, expected_position, expected_prev = entry.partition, 1, GENESIS_HASH
        checked += 1
        problem = None
        if entry.position != expected_position:
            problem = ChainProblem(f"entry {entry.seq}", f"entries at positions {expected_position}.."
                                   f"{entry.position - 1} of partition {partition}, just before it, are missing")
        elif entry.prev_hash != expected_prev:
            problem = ChainProblem(f"entry {entry.seq}", "link to the previous entry is broken")
        elif hash_entry(entry) != entry.entry_hash:
            problem = ChainProblem(f"entry {entry.seq}", "entry content was changed after it was written")
        yield checked, problem
        expected_position, expected_prev = entry.position + 1, entry.entry_hash
    if partition is not None and (problem := _head_problem(heads.pop(partition, None), partition,
                                                           expected_position - 1, expected_prev)):
        yield checked, problem
    for head in heads.values():
        if head.last_position:
            yield checked, ChainProblem(f"partition {head.partition} position {head.last_position}",
                                        "all entries of the partition were removed (head does not match)")


def count_entries(session: Session) -> int:
    return session.execute(select(func.coalesce(func.sum(AuditHead.last_position), 0))).scalar_one()
