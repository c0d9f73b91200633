"""Engine, sessions and the declarative base.

The caller owns the transaction: services flush, never commit. HTTP requests get one
transaction per request (`DbSession`), CLI jobs use `session_scope()`.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from healthhub.core.config import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and SELECT-then-write locking;
    # take BEGIN into our hands (the SQLAlchemy-documented recipe) and take the write lock early.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# A schema change may rightly wait longer for its locks than a request; it still never waits forever.
MIGRATION_LOCK_WAIT_MS = 30000


def make_engine(url: str, *, settings: Settings | None = None, bounded: bool = True) -> Engine:
    """The engine every process uses. `bounded` (requests, jobs, CLI): a small pool with a short wait for a
    connection, and per-connection statement and lock timeouts, so a rush or a held lock ends in a quick
    error (a 503 with Retry-After, see core/errors.py) instead of a queue that never drains. Migrations pass
    bounded=False. SQL parameters are never rendered into logs or error messages: they carry PII."""
    settings = settings or get_settings()
    pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout_seconds, "hide_parameters": True}
    if url.startswith("sqlite"):
        # SQLite takes its one write lock at BEGIN, so this wait is a wait for whole transactions ahead of
        # us, not for one row: it gets the statement budget rather than the row-lock one.
        busy_ms = settings.db_statement_timeout_ms if bounded else MIGRATION_LOCK_WAIT_MS
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_ms / 1000}, **pool)
        _configure_sqlite(engine, busy_ms)
        return engine
    connect_args = {}
    if bounded:
        connect_args["options"] = (f"-c statement_timeout={int(settings.db_statement_timeout_ms)} "
                                   f"-c lock_timeout={int(settings.db_lock_timeout_ms)}")
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **pool)


class Database:
    """One engine and session factory per process (or per test)."""

    def __init__(self, url: str, settings: Settings | None = None):
        self.url = url
        self.engine = make_engine(url, settings=settings)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database() -> Database:
    """The configured database for a command-line process; a SQLite file's folder is created on first use."""
    settings = get_settings()
    if settings.is_sqlite:
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return Database(settings.database_url)


def get_db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed after the handler returns, rolled back on any error."""
    database: Database = request.app.state.database
    with database.session_scope() as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is reported to the client.
DbSession = Annotated[Session, Depends(get_db_session, scope="function")]
