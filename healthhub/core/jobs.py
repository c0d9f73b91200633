"""Periodic maintenance jobs: abandoned checkouts, unanswered consultations, expiring prescriptions,
webhook retries. A domain declares `JOBS = [PeriodicJob(...)]` in its `jobs.py`; `healthhub.app`
collects them.

The web process runs them in a background thread (`HEALTHHUB_RUN_JOBS`, on by default) so a demo or a
single-node install needs no cron. A larger deployment turns that off on the web workers and runs
`healthhub jobs run --loop` as one worker process instead. Either way each job runs in its own
transaction, and on PostgreSQL under an advisory lock, so two processes never run the same job at once.
"""
import logging
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.orm import Session

from healthhub.core.db import Database, utcnow

log = logging.getLogger("healthhub.jobs")
JOB_RUNS = Counter("healthhub_job_runs_total", "Periodic job runs", ["job", "outcome"])
JOB_ITEMS = Counter("healthhub_job_items_total", "Items handled by periodic jobs", ["job"])


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    # Does one round inside the caller's transaction; returns how many items it handled.
    run: Callable[[Session, datetime], int]
    description: str = ""


@dataclass(frozen=True)
class JobResult:
    name: str
    outcome: str  # "done" | "skipped" (another process holds the job) | "failed"
    handled: int = 0
    error: str | None = None


def _lock_key(name: str) -> int:
    # Advisory locks take a signed 64-bit key; crc32 of the name is stable across processes.
    return zlib.crc32(f"healthhub.job.{name}".encode())


def run_job(database: Database, job: PeriodicJob, now: datetime | None = None) -> JobResult:
    """One round of one job in its own transaction. Failures are logged and reported, never raised:
    one broken job must not stop the others."""
    now = now or utcnow()
    try:
        with database.session_scope() as session:
            if session.get_bind().dialect.name == "postgresql":
                held = session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                       {"key": _lock_key(job.name)}).scalar_one()
                if not held:
                    JOB_RUNS.labels(job.name, "skipped").inc()
                    return JobResult(job.name, "skipped")
            handled = job.run(session, now)
    except Exception as exc:  # noqa: BLE001  (reported below; the next round retries)
        log.exception("job %s failed", job.name)
        JOB_RUNS.labels(job.name, "failed").inc()
        return JobResult(job.name, "failed", error=f"{type(exc).__name__}: {exc}")
    JOB_RUNS.labels(job.name, "done").inc()
    JOB_ITEMS.labels(job.name).inc(handled)
    if handled:
        log.info("job %s handled %d item(s)", job.name, handled)
    return JobResult(job.name, "done", handled)


class JobScheduler:
    """Runs each job when it is due. `run_due` is the whole scheduling decision, so it can be driven
    by a test clock; `start` only adds a thread that calls it every `tick` seconds."""

    def __init__(self, database: Database, jobs: Iterable[PeriodicJob], *, tick_seconds: float = 5.0):
        self.database = database
        self.jobs = list(jobs)
        self.tick_seconds = tick_seconds
        self._next_due: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self, now: datetime | None = None) -> list[JobResult]:
        now = now or utcnow()
        results = []
        for job in self.jobs:
            if self._next_due.get(job.name, now) <= now:
                results.append(run_job(self.database, job, now))
                self._next_due[job.name] = now + job.every
        return results

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="healthhub-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wait(self) -> None:
        """Blocks until `stop` (a worker process's main thread sits here)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(1.0)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            self._stop.wait(self.tick_seconds)
