"""Partitioning the audit chain keeps every entry written before it verifiable."""
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import DBAPIError

from healthhub.core import audit
from healthhub.core.crypto import sm3_hex
from healthhub.core.db import Database, UTCDateTime
from healthhub.core.migrations import alembic_config, upgrade

BEFORE_PARTITIONS = "738b15c3d00c"
AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

old_log = sa.table("audit_log", *(sa.column(name) for name in (
    "seq", "actor_id", "actor_name", "actor_role", "action", "entity_type", "entity_id", "client_ip", "request_id",
    "prev_hash", "entry_hash")), sa.column("occurred_at", UTCDateTime()), sa.column("detail", sa.JSON()))
old_head = sa.table("audit_head", sa.column("id"), sa.column("last_seq"), sa.column("last_hash"))


def _old_chain(count: int) -> list[dict]:
    """Entries as the single-chain code wrote them, hashed by its own rule."""
    rows, prev = [], "0" * 64
    for seq in range(1, count + 1):
        row = {"seq": seq, "occurred_at": AT, "actor_id": 3, "actor_name": "pharmacist", "actor_role": "pharmacist",
               "action": "review.approve", "entity_type": "review", "entity_id": str(seq), "client_ip": "10.0.0.9",
               "request_id": None, "detail": {"note": "复核通过"}, "prev_hash": prev}
        row["entry_hash"] = prev = sm3_hex(json.dumps({
            "seq": seq, "at": AT.isoformat(), "actor_id": 3, "actor": "pharmacist", "role": "pharmacist",
            "action": "review.approve", "entity": f"review:{seq}", "ip": "10.0.0.9", "rid": None,
            "detail": {"note": "复核通过"}, "prev": row["prev_hash"],
        }, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
        rows.append(row)
    return rows


def test_entries_written_before_partitioning_still_verify(empty_database_url):
    command.upgrade(alembic_config(empty_database_url), BEFORE_PARTITIONS)
    rows = _old_chain(4)
    engine = sa.create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(old_log.insert(), rows)
        connection.execute(old_head.insert().values(id=1, last_seq=4, last_hash=rows[-1]["entry_hash"]))
    engine.dispose()

    upgrade(empty_database_url)

    database = Database(empty_database_url)
    try:
        with database.session_scope() as session:
            assert [p for _, p in audit.verify_chain(session) if p] == []
            legacy = session.get(audit.AuditHead, audit.LEGACY_PARTITION)
            assert (legacy.last_position, legacy.last_hash) == (4, rows[-1]["entry_hash"])
            new = audit.record(session, action="order.create", entity_type="order", entity_id="O-1")
        assert (new.seq, new.position, new.partition) == (5, 1, audit.partition_for("order", "O-1"))
        with database.session_scope() as session:
            assert [p for _, p in audit.verify_chain(session) if p] == []
            assert audit.count_entries(session) == 5
        with pytest.raises(DBAPIError), database.engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2"))
    finally:
        database.dispose()
