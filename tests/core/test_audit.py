"""The audit hash chain: tamper evidence per partition, and no lock shared by unrelated writers."""
import threading
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from healthhub.core import audit
from healthhub.core.context import Actor, actor_var


def _write_entries(database, count=5, entity_type="order"):
    token = actor_var.set(Actor(user_id=7, username="auditor", role="admin"))
    try:
        with database.session_scope() as session:
            for n in range(count):
                audit.record(session, action="order.create", entity_type=entity_type, entity_id=n,
                             detail={"amount_cents": 1000 + n})
    finally:
        actor_var.reset(token)


def _problems(database):
    with database.session_scope() as session:
        return [p for _, p in audit.verify_chain(session) if p]


def drop_guards(connection, dialect):
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"))
    else:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("DROP TRIGGER audit_log_no_delete"))


def restore_guards(connection, dialect):
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update"))
    else:
        connection.execute(text("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))
        connection.execute(text("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))


def _entity_in_other_partition(partition, entity_type="order"):
    return next(n for n in range(1000, 2000) if audit.partition_for(entity_type, n) != partition)


def _first_entry(session) -> audit.AuditEntry:
    # The lowest id, not id 1: rolled-back tests before this one may have used sequence numbers.
    return session.execute(select(audit.AuditEntry).order_by(audit.AuditEntry.seq).limit(1)).scalar_one()


def test_an_untouched_chain_verifies(committed_db):
    _write_entries(committed_db)
    assert _problems(committed_db) == []
    with committed_db.session_scope() as session:
        first = _first_entry(session)
        assert (first.actor_name, first.actor_role, first.detail) == ("auditor", "admin", {"amount_cents": 1000})
        assert audit.count_entries(session) == 5


def test_a_transaction_keeps_one_partition_and_others_spread_by_entity(committed_db):
    _write_entries(committed_db)  # five different orders, one transaction
    with committed_db.session_scope() as session:
        first_partition = _first_entry(session).partition
        other = _entity_in_other_partition(first_partition)
        audit.record(session, action="order.create", entity_type="order", entity_id=other)
    with committed_db.session_scope() as session:
        entries = session.execute(select(audit.AuditEntry).order_by(audit.AuditEntry.seq)).scalars().all()
        heads = {h.partition: h.last_position for h in session.execute(select(audit.AuditHead)).scalars()}
    assert [(e.partition, e.position) for e in entries] == [(first_partition, n) for n in range(1, 6)] + [
        (audit.partition_for("order", other), 1)]
    assert heads == {first_partition: 5, audit.partition_for("order", other): 1}
    assert _problems(committed_db) == []


def test_the_database_refuses_updates_and_deletes(committed_db):
    _write_entries(committed_db, 1)
    for statement in ("UPDATE audit_log SET action='x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), committed_db.engine.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.parametrize(("tamper", "expected"), [
    ("UPDATE audit_log SET detail='{\"amount_cents\": 1}' WHERE seq=3", "changed"),
    ("UPDATE audit_log SET position=9 WHERE seq=3", "missing"),
    ("DELETE FROM audit_log WHERE seq=2", "missing"),
    ("DELETE FROM audit_log WHERE seq=5", "removed"),
    ("DELETE FROM audit_log", "all entries of the partition were removed"),
])
def test_edits_and_deletions_are_detected(committed_db, tamper, expected):
    _write_entries(committed_db)
    dialect = committed_db.engine.dialect.name
    with committed_db.engine.begin() as connection:
        drop_guards(connection, dialect)
        connection.execute(text(tamper))
        restore_guards(connection, dialect)
    problems = _problems(committed_db)
    assert problems and expected in problems[0].problem


def test_cli_verify_reports_tampering_with_exit_code_1(committed_db, monkeypatch, tmp_path):
    from healthhub.cli import app  # noqa: PLC0415
    from healthhub.core.config import get_settings  # noqa: PLC0415

    _write_entries(committed_db)
    monkeypatch.setenv("HEALTHHUB_DATABASE_URL", committed_db.url)
    monkeypatch.setenv("HEALTHHUB_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("HEALTHHUB_AUDIT_ANCHOR_FILE", str(tmp_path / "anchor.jsonl"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        ok = runner.invoke(app, ["audit", "verify"])
        assert ok.exit_code == 0 and "intact (5 entries" in ok.output
        dialect = committed_db.engine.dialect.name
        with committed_db.engine.begin() as connection:
            drop_guards(connection, dialect)
            connection.execute(text("UPDATE audit_log SET actor_name='mallory' WHERE seq=4"))
            restore_guards(connection, dialect)
        bad = runner.invoke(app, ["audit", "verify"])
        assert bad.exit_code == 1 and "TAMPERED at entry 4" in bad.output
    finally:
        get_settings.cache_clear()


def _hold_partition_open(database, entity_id, holding: threading.Event, release: threading.Event):
    with database.session_scope() as session:
        audit.record(session, action="order.create", entity_type="order", entity_id=entity_id)
        holding.set()
        release.wait(10)


@pytest.mark.pg_only
def test_writers_of_different_partitions_do_not_wait_for_each_other(committed_db, backend):
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer for the whole database")
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_partition_open, args=(committed_db, 1, holding, release))
    blocked = None
    holder.start()
    try:
        assert holding.wait(10)
        busy = audit.partition_for("order", 1)
        elsewhere = _entity_in_other_partition(busy)
        started = time.monotonic()
        _write_entries_for(committed_db, elsewhere)
        assert time.monotonic() - started < 2, "a write to another partition waited for the open transaction"

        same = next(n for n in range(2000, 3000) if audit.partition_for("order", n) == busy)
        blocked = threading.Thread(target=_write_entries_for, args=(committed_db, same))
        blocked.start()
        blocked.join(0.5)
        assert blocked.is_alive(), "a write to the same partition must wait: its chain must not fork"
    finally:
        release.set()
        holder.join(10)
        if blocked is not None:
            blocked.join(10)
    assert _problems(committed_db) == []


def _write_entries_for(database, entity_id):
    with database.session_scope() as session:
        audit.record(session, action="order.create", entity_type="order", entity_id=entity_id)
