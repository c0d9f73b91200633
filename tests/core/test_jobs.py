"""Periodic jobs: scheduling by interval, one transaction per round, one runner at a time on PostgreSQL."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from healthhub.domains import collect_jobs
from healthhub.cli import app as cli_app
from healthhub.core import audit
from healthhub.core.audit import AuditEntry
from healthhub.core.config import get_settings
from healthhub.core.jobs import JobScheduler, PeriodicJob, _lock_key, run_job

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def _audit_count(database, action: str) -> int:
    with database.session_scope() as session:
        return session.execute(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.action == action)).scalar_one()


def _writing_job(name: str, every: timedelta, *, fail: bool = False) -> PeriodicJob:
    def run(session, now):
        audit.record(session, action=f"test.{name}", entity_type="job", entity_id=now.isoformat())
        if fail:
            raise RuntimeError("the clinic endpoint is down")
        return 1
    return PeriodicJob(name, every, run)


def test_every_periodic_duty_of_the_platform_is_scheduled():
    names = {job.name for job in collect_jobs()}
    assert names == {"audit.checkpoint", "inventory.expire-reservations", "orders.expire-unpaid", "prescriptions.expire",
                     "hospital.reassign-stale", "family-doctor.expire-subscriptions", "review.deliver-webhooks",
                     "identity.prune-login-failures"}
    assert all(job.every >= timedelta(seconds=5) for job in collect_jobs())


def test_scheduler_runs_each_job_at_its_own_interval(committed_db):
    fast, slow = _writing_job("fast", timedelta(minutes=1)), _writing_job("slow", timedelta(minutes=10))
    scheduler = JobScheduler(committed_db, [fast, slow])
    for minute in range(0, 21):
        scheduler.run_due(T0 + timedelta(minutes=minute))
    assert _audit_count(committed_db, "test.fast") == 21
    assert _audit_count(committed_db, "test.slow") == 3  # minutes 0, 10 and 20


def test_a_failing_job_rolls_back_its_round_and_the_others_still_run(committed_db):
    broken, healthy = _writing_job("broken", timedelta(minutes=1), fail=True), _writing_job("ok", timedelta(minutes=1))
    results = JobScheduler(committed_db, [broken, healthy]).run_due(T0)
    assert [(r.name, r.outcome) for r in results] == [("broken", "failed"), ("ok", "done")]
    assert "clinic endpoint is down" in results[0].error
    assert _audit_count(committed_db, "test.broken") == 0
    assert _audit_count(committed_db, "test.ok") == 1


def test_postgres_never_runs_one_job_in_two_processes_at_once(committed_db, backend):
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite has a single writer anyway")
    job = _writing_job("exclusive", timedelta(minutes=1))
    with committed_db.engine.connect() as other_process:
        other_process.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _lock_key(job.name)})
        assert run_job(committed_db, job, T0).outcome == "skipped"
        other_process.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _lock_key(job.name)})
    assert run_job(committed_db, job, T0).outcome == "done"
    assert _audit_count(committed_db, "test.exclusive") == 1


def test_jobs_command_runs_every_job_and_refuses_unknown_names(committed_db, monkeypatch):
    monkeypatch.setenv("HEALTHHUB_DATABASE_URL", committed_db.url)
    get_settings.cache_clear()
    try:
        listed = CliRunner().invoke(cli_app, ["jobs", "list"])
        ran = CliRunner().invoke(cli_app, ["jobs", "run"])
        unknown = CliRunner().invoke(cli_app, ["jobs", "run", "orders.nope"])
    finally:
        get_settings.cache_clear()
    assert listed.exit_code == 0 and "review.deliver-webhooks" in listed.output
    assert ran.exit_code == 0, ran.output
    assert ran.output.count(" done ") == len(collect_jobs())
    assert unknown.exit_code == 2 and "orders.nope" in unknown.output


def test_the_web_process_runs_the_jobs_only_when_configured(committed_db):
    import threading  # noqa: PLC0415

    from fastapi.testclient import TestClient  # noqa: PLC0415

    from healthhub.app import create_app  # noqa: PLC0415
    from healthhub.core.config import Settings  # noqa: PLC0415

    def job_threads() -> int:
        return sum(t.name == "healthhub-jobs" and t.is_alive() for t in threading.enumerate())

    with TestClient(create_app(Settings(run_jobs=True), committed_db)):
        assert job_threads() == 1
    assert job_threads() == 0
    with TestClient(create_app(Settings(run_jobs=False), committed_db)):
        assert job_threads() == 0
