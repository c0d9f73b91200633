import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from healthhub.core import audit
from healthhub.core.context import Actor, actor_var


def _write_entries(database, count=5):
    token = actor_var.set(Actor(user_id=7, username="auditor", role="admin"))
    try:
        with database.session_scope() as session:
            for n in range(count):
                audit.record(session, action="order.create", entity_type="order", entity_id=n,
                             detail={"amount_cents": 1000 + n})
    finally:
        actor_var.reset(token)


def _problems(database):
    with database.session_scope() as session:
        return [p for _, p in audit.verify_chain(session) if p]


def _drop_guards(connection, dialect):
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"))
    else:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("DROP TRIGGER audit_log_no_delete"))


def _restore_guards(connection, dialect):
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update"))
    else:
        connection.execute(text("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))
        connection.execute(text("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))


def test_an_untouched_chain_verifies(committed_db):
    _write_entries(committed_db)
    assert _problems(committed_db) == []
    with committed_db.session_scope() as session:
        first = session.get(audit.AuditEntry, 1)
        assert (first.actor_name, first.actor_role, first.detail) == ("auditor", "admin", {"amount_cents": 1000})


def test_the_database_refuses_updates_and_deletes(committed_db):
    _write_entries(committed_db, 1)
    for statement in ("UPDATE audit_log SET action='x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), committed_db.engine.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.parametrize(("tamper", "expected"), [
    ("UPDATE audit_log SET detail='{\"amount_cents\": 1}' WHERE seq=3", "changed"),
    ("DELETE FROM audit_log WHERE seq=2", "missing"),
    ("DELETE FROM audit_log WHERE seq=5", "removed"),
])
def test_edits_and_deletions_are_detected(committed_db, tamper, expected):
    _write_entries(committed_db)
    dialect = committed_db.engine.dialect.name
    with committed_db.engine.begin() as connection:
        _drop_guards(connection, dialect)
        connection.execute(text(tamper))
        _restore_guards(connection, dialect)
    problems = _problems(committed_db)
    assert problems and expected in problems[0].problem


def test_cli_verify_reports_tampering_with_exit_code_1(committed_db, monkeypatch):
    from healthhub.cli import app  # noqa: PLC0415
    from healthhub.core.config import get_settings  # noqa: PLC0415

    _write_entries(committed_db)
    monkeypatch.setenv("HEALTHHUB_DATABASE_URL", committed_db.url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        ok = runner.invoke(app, ["audit", "verify"])
        assert ok.exit_code == 0 and "intact (5 entries)" in ok.output
        dialect = committed_db.engine.dialect.name
        with committed_db.engine.begin() as connection:
            _drop_guards(connection, dialect)
            connection.execute(text("UPDATE audit_log SET actor_name='mallory' WHERE seq=4"))
            _restore_guards(connection, dialect)
        bad = runner.invoke(app, ["audit", "verify"])
        assert bad.exit_code == 1 and "TAMPERED at entry 4" in bad.output
    finally:
        get_settings.cache_clear()
