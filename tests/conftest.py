"""Shared fixtures. Every persistence test runs twice: on SQLite and on PostgreSQL.

- `database`: a migrated database per backend and test worker (PostgreSQL gets its own
  throw-away database, so parallel runs never collide).
- `db`: a Session inside a transaction that is rolled back after the test; code under test may
  call commit() (it only releases a SAVEPOINT).
- `client`: the app wired to that same session.
- `committed_db`: for tests that need real commits across connections (concurrency); all tables
  are emptied afterwards.
"""
import os
import uuid

os.environ.setdefault("HEALTHHUB_ENV", "test")
os.environ.setdefault("HEALTHHUB_LOG_JSON", "false")
os.environ.setdefault("HEALTHHUB_LOG_LEVEL", "WARNING")
# Tests drive periodic jobs explicitly with their own clock (tests/core/test_jobs.py).
os.environ.setdefault("HEALTHHUB_RUN_JOBS", "false")

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from healthhub.core.config import get_settings  # noqa: E402
from healthhub.core.db import Base, Database, get_db_session  # noqa: E402
from healthhub.core.migrations import upgrade  # noqa: E402
from healthhub.domains import install_event_handlers, load_all_models  # noqa: E402

PG_ADMIN_URL = os.environ.get("HEALTHHUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def _create_pg_database() -> tuple[str, str]:
    name = f"hh_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory) -> Database:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        pg_name = None
    else:
        pg_name, url = _create_pg_database()
    upgrade(url)
    load_all_models()
    install_event_handlers()
    database = Database(url)
    yield database
    database.dispose()
    if pg_name:
        _drop_pg_database(pg_name)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> str:
    """A new, unmigrated database on each backend: for migration tests that start from an old revision."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name, url = _create_pg_database()
    yield url
    _drop_pg_database(name)


@pytest.fixture
def backend(database) -> str:
    return database.engine.dialect.name


@pytest.fixture
def db(database) -> Session:
    connection = database.engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    if transaction.is_active:
        transaction.rollback()
    connection.close()


@pytest.fixture
def committed_db(database) -> Database:
    yield database
    with database.engine.begin() as connection:
        existing = set(inspect(connection).get_table_names())
        tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
        if database.engine.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
            connection.execute(text("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                                    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))


@pytest.fixture
def app(database, db):
    from healthhub.app import create_app  # noqa: PLC0415
    from healthhub.identity.ratelimit import login_limiter  # noqa: PLC0415

    login_limiter.reset()
    application = create_app(get_settings(), database)

    def session_for_request():
        # What the test set up counts as committed before the request, as it would be in production;
        # a failing request then rolls back only its own work.
        db.commit()
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[get_db_session] = session_for_request
    return application


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def make_user(db):
    """Creates an account and returns (user, Authorization header) for it."""
    from tests.factories import create_user_with_token  # noqa: PLC0415

    def factory(role: str, **fields):
        return create_user_with_token(db, role=role, **fields)

    return factory
