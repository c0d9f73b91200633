"""Overload answers fast (issue 8, item 2): real lock waits, pool exhaustion and admission control end in
a 503 (or 409) problem with Retry-After within their configured bounds, never a 500 or an endless wait."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from healthhub.core.config import Settings
from healthhub.core.db import Database, DbSession
from healthhub.core.errors import install_error_handlers
from healthhub.core.overload import AdmissionLimit
from tests.factories import create_user_with_token

FAST = {"db_lock_timeout_ms": 300, "db_statement_timeout_ms": 1500, "db_pool_timeout_seconds": 0.3}


def _app(database: Database) -> FastAPI:
    app = FastAPI()
    app.state.database = database
    install_error_handlers(app)

    @app.post("/touch/{user_id}")
    def touch(user_id: int, db: DbSession) -> dict:
        db.execute(text("UPDATE users SET display_name = display_name WHERE id = :id"), {"id": user_id})
        return {"ok": True}

    @app.get("/sleep")
    def sleep(db: DbSession) -> dict:
        db.execute(text("SELECT pg_sleep(10)"))
        return {"ok": True}

    return app


@pytest.fixture
def user_id(committed_db) -> int:
    with committed_db.session_scope() as session:
        return create_user_with_token(session, role="patient", password="Overload-2026-pw")[0].id


@pytest.fixture
def bounded(committed_db):
    """A second Database on the same test database with short, configured waits."""
    database = Database(committed_db.url, Settings(db_pool_size=1, db_max_overflow=0, **FAST))
    yield database
    database.dispose()


def _assert_busy(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["code"] == code and " / " in body["detail"]  # Chinese / English


def test_a_held_lock_ends_in_a_fast_503_not_a_hang(committed_db, bounded, backend, user_id):
    with committed_db.engine.connect() as holder:
        # PostgreSQL: a row lock; SQLite: its one write lock (taken at BEGIN).
        holder.execute(text("UPDATE users SET display_name = 'held' WHERE id = :id"), {"id": user_id})
        started = time.monotonic()
        with TestClient(_app(bounded)) as client:
            response = client.post(f"/touch/{user_id}")
        waited = time.monotonic() - started
        holder.rollback()
    _assert_busy(response, 503, "lock-timeout" if backend == "postgresql" else "database-locked")
    assert waited < 5


def test_an_exhausted_pool_ends_in_a_fast_503(bounded, user_id):
    with bounded.engine.connect() as only_connection:
        only_connection.execute(text("SELECT 1"))
        started = time.monotonic()
        with TestClient(_app(bounded)) as client:
            response = client.post(f"/touch/{user_id}")
    _assert_busy(response, 503, "server-busy")
    assert time.monotonic() - started < 5


def test_a_runaway_statement_is_cancelled_with_a_503(bounded, backend):
    if backend != "postgresql":
        pytest.skip("statement_timeout is a PostgreSQL setting")
    with TestClient(_app(bounded)) as client:
        _assert_busy(client.get("/sleep"), 503, "statement-timeout")


def test_sql_parameters_never_reach_error_messages(bounded):
    secret = "110105199001011234"
    with pytest.raises(DBAPIError) as caught, bounded.session_scope() as session:
        session.execute(text("SELECT * FROM no_such_table WHERE id_number = :n"), {"n": secret})
    assert secret not in str(caught.value) and "hidden" in str(caught.value)


def test_admission_limit_refuses_the_surplus_at_once_and_spares_healthz():
    release = threading.Event()
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(AdmissionLimit, limit=1, wait_seconds=0.2)

    @app.get("/slow")
    def slow() -> dict:
        release.wait(10)
        return {"ok": True}

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    async def scenario() -> tuple[httpx.Response, httpx.Response, httpx.Response, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            results = {}

            async def first() -> None:
                results["first"] = await client.get("/slow")

            async with anyio.create_task_group() as group:
                group.start_soon(first)
                await anyio.sleep(0.2)  # the first request now holds the only slot
                started = time.monotonic()
                surplus = await client.get("/slow")
                refused_after = time.monotonic() - started
                health = await client.get("/healthz")
                release.set()
            return results["first"], surplus, health, refused_after

    # A thread of its own: a browser test earlier in this worker may have left an event loop running here.
    with ThreadPoolExecutor(max_workers=1) as runner:
        first, surplus, health, refused_after = runner.submit(anyio.run, scenario).result()
    assert first.status_code == 200 and health.status_code == 200
    _assert_busy(surplus, 503, "server-busy")
    assert refused_after < 2
