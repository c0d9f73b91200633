"""Signed checkpoints anchor the audit chain outside the database: the audit-forgery test lives here.

The attacker has full database access: disables the append-only trigger, edits an entry, re-hashes
every later entry of its partition and the head, and deletes or rewrites the in-table checkpoints.
The chain alone then verifies; the external anchor file must not.
"""
import json
import logging

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from healthhub.core import audit, signing
from healthhub.core.audit_checkpoints import (
    CHECKPOINT_JOB,
    AuditCheckpoint,
    platform_keypair,
    verify_checkpoints,
    write_checkpoint,
)
from healthhub.core.config import Settings, get_settings
from healthhub.core.jobs import run_job
from tests.core.test_audit import drop_guards, restore_guards


@pytest.fixture
def keypair():
    return signing.generate_keypair()


def _order_ids_in(partition, count, start=0):
    return [n for n in range(start, start + 5000) if audit.partition_for("order", n) == partition][:count]


def _write(database, entity_ids):
    with database.session_scope() as session:
        for entity_id in entity_ids:
            audit.record(session, action="order.create", entity_type="order", entity_id=entity_id,
                         detail={"amount_cents": 1000})


def _checkpoint(database, keypair, anchor):
    with database.session_scope() as session:
        return write_checkpoint(session, keypair=keypair, anchor_file=anchor)


def _verify(database, keypair, anchor):
    with database.session_scope() as session:
        chain = [p for _, p in audit.verify_chain(session) if p]
        return chain, verify_checkpoints(session, public_hex=keypair[1], anchor_file=anchor)


def _forge(database, seq, *, checkpoints="delete"):
    """What an attacker with database access does: edit entry `seq`, re-hash its partition, fix the head,
    and delete (or re-write to match) the checkpoints kept in the database."""
    dialect = database.engine.dialect.name
    with database.engine.begin() as connection:
        drop_guards(connection, dialect)
        with Session(bind=connection) as session:
            partition = session.get(audit.AuditEntry, seq).partition
            entries = session.execute(select(audit.AuditEntry).where(audit.AuditEntry.partition == partition)
                                      .order_by(audit.AuditEntry.position)).scalars().all()
            prev = audit.GENESIS_HASH
            for entry in entries:
                if entry.seq == seq:
                    entry.detail = {"amount_cents": 1}
                entry.prev_hash = prev
                entry.entry_hash = prev = audit.hash_entry(entry)
            session.get(audit.AuditHead, partition).last_hash = prev
            if checkpoints == "delete":
                session.execute(delete(AuditCheckpoint))
            else:
                forged = {entry.position: entry.entry_hash for entry in entries}
                for row in session.execute(select(AuditCheckpoint)).scalars():
                    document = json.loads(row.document)
                    head = document["heads"][partition]
                    head["hash"] = forged[head["position"]]
                    row.document = signing.canonical_form(document)
            session.flush()
        restore_guards(connection, dialect)
    return partition


def test_a_checkpoint_signs_every_partition_head_and_leaves_the_database(committed_db, keypair, tmp_path, caplog):
    anchor = tmp_path / "audit" / "checkpoints.jsonl"
    _write(committed_db, _order_ids_in("p01", 2))
    _write(committed_db, _order_ids_in("p07", 3))
    with caplog.at_level(logging.INFO, logger="healthhub.audit"):
        checkpoint = _checkpoint(committed_db, keypair, anchor)
    assert {p: h["position"] for p, h in checkpoint.document["heads"].items()} == {"p01": 2, "p07": 3}
    line = json.loads(anchor.read_text())
    assert line["digest"] == checkpoint.digest
    assert signing.verify(keypair[1], line["signature"], signing.canonical_form(line["document"]))
    assert any(checkpoint.digest in record.getMessage() for record in caplog.records)
    assert _checkpoint(committed_db, keypair, anchor) is None, "nothing new was audited"
    _write(committed_db, _order_ids_in("p01", 1, start=6000))
    second = _checkpoint(committed_db, keypair, anchor)
    assert second.document["prev"] == checkpoint.digest
    assert len(anchor.read_text().splitlines()) == 2
    chain, report = _verify(committed_db, keypair, anchor)
    assert (chain, report.problems, report.external) == ([], [], 2)


@pytest.mark.parametrize("checkpoints", ["delete", "rewrite"])
def test_a_rehashed_chain_is_caught_by_the_external_checkpoint(committed_db, keypair, tmp_path, checkpoints):
    anchor = tmp_path / "checkpoints.jsonl"
    ids = _order_ids_in("p03", 12)
    _write(committed_db, ids[:4])
    _checkpoint(committed_db, keypair, anchor)
    _write(committed_db, ids[4:8])
    _checkpoint(committed_db, keypair, anchor)
    _write(committed_db, ids[8:])
    with committed_db.session_scope() as session:
        tampered = session.execute(select(audit.AuditEntry.seq).where(audit.AuditEntry.position == 6)).scalar_one()

    assert _forge(committed_db, tampered, checkpoints=checkpoints) == "p03"

    chain, report = _verify(committed_db, keypair, anchor)
    assert chain == [], "the forgery is consistent: the chain alone no longer tells"
    rewritten = [p for p in report.problems if "rewritten" in p.problem]
    assert len(rewritten) == 1
    # The checkpoints bracket the edit: positions 5..8 were signed as 4 (intact) and 8 (now different).
    assert rewritten[0].where == "entry 8" and "partition p03" in rewritten[0].problem
    assert "positions 5..8" in rewritten[0].problem
    if checkpoints == "rewrite":
        assert any("signature does not verify" in p.problem for p in report.problems)


def test_cli_verify_fails_on_a_forgery_and_names_the_partition(committed_db, tmp_path, monkeypatch):
    from healthhub.cli import app  # noqa: PLC0415

    monkeypatch.setenv("HEALTHHUB_DATABASE_URL", committed_db.url)
    monkeypatch.setenv("HEALTHHUB_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("HEALTHHUB_AUDIT_ANCHOR_FILE", str(tmp_path / "anchor.jsonl"))
    get_settings.cache_clear()
    try:
        _write(committed_db, _order_ids_in("p05", 5))
        runner = CliRunner()
        made = runner.invoke(app, ["audit", "checkpoint"])
        assert made.exit_code == 0 and "appended to" in made.output
        assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
        _forge(committed_db, 2)
        forged = runner.invoke(app, ["audit", "verify"])
        assert forged.exit_code == 1
        assert "TAMPERED at entry 5: partition p05 was rewritten: entries 1..5" in forged.output
    finally:
        get_settings.cache_clear()


def test_forged_or_mangled_anchor_lines_are_reported(committed_db, keypair, tmp_path):
    anchor = tmp_path / "checkpoints.jsonl"
    _write(committed_db, _order_ids_in("p02", 2))
    _checkpoint(committed_db, keypair, anchor)
    stranger = signing.generate_keypair()
    with committed_db.session_scope() as session:
        session.execute(delete(AuditCheckpoint))
        write_checkpoint(session, keypair=stranger, anchor_file=anchor)
        session.execute(delete(AuditCheckpoint))  # only the file speaks now
    with anchor.open("a") as file:
        file.write("{not json\n")
    _, report = _verify(committed_db, keypair, anchor)
    assert report.external == 1
    assert sorted(p.problem for p in report.problems) == [
        "not a checkpoint", "signature does not verify with the platform public key"]


def test_the_platform_key_is_made_per_installation_unless_configured(tmp_path):
    first = platform_keypair(Settings(key_dir=tmp_path / "a"))
    assert platform_keypair(Settings(key_dir=tmp_path / "a")) == first
    assert platform_keypair(Settings(key_dir=tmp_path / "b")) != first
    configured = signing.generate_keypair()
    assert platform_keypair(Settings(key_dir=tmp_path / "a", platform_sm2_key=":".join(configured))) == configured
    assert signing.verify(first[1], signing.sign(*first, "heads"), "heads")


def test_the_periodic_job_writes_checkpoints(committed_db, tmp_path, monkeypatch):
    monkeypatch.setenv("HEALTHHUB_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("HEALTHHUB_AUDIT_ANCHOR_FILE", str(tmp_path / "anchor.jsonl"))
    get_settings.cache_clear()
    try:
        _write(committed_db, [1, 2])
        assert run_job(committed_db, CHECKPOINT_JOB).handled == 1
        assert run_job(committed_db, CHECKPOINT_JOB).handled == 0
        assert len((tmp_path / "anchor.jsonl").read_text().splitlines()) == 1
    finally:
        get_settings.cache_clear()

