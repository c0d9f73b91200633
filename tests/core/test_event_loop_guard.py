"""The event loop never waits on the database (issue 8, item 1).

An `async def` route or dependency runs on the event loop itself: one blocking SQLAlchemy call there
freezes every request of the process, and a lock wait freezes it for good (the lock holder needs the
loop to commit). Database work belongs in plain `def` callables, which FastAPI runs in its threadpool.
This walks every route of the real app and every dependency below it.
"""
import inspect
import re
from collections.abc import Callable, Iterator

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from healthhub.app import create_app
from healthhub.core.config import get_settings
from healthhub.core.db import Database, DbSession, get_db_session

# What in an async callable's source means it reaches the database on the loop.
DATABASE_MARKERS = re.compile(r"DbSession|get_db_session|state\.database|session_scope|sessionmaker|\bSession\(")


def _is_async(call: Callable) -> bool:
    return (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)
            or inspect.iscoroutinefunction(getattr(call, "__call__", None)))


def _name(call: Callable) -> str:
    return f"{getattr(call, '__module__', '?')}.{getattr(call, '__qualname__', repr(call))}"


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def _source(call: Callable) -> str:
    try:
        return inspect.getsource(call)
    except (OSError, TypeError):
        return ""


def _api_routes(app: FastAPI) -> list:
    # Included routers stay nested in app.routes; iter_route_contexts flattens them, with their prefixes
    # and router-level dependencies applied (what the openapi schema is built from, too).
    return [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]


def loop_blockers(app: FastAPI) -> list[str]:
    """`"<route path>: <callable> (<why>)"` for every async callable that would touch the database on the loop."""
    offenders = set()
    for route in _api_routes(app):
        for dependant in _walk(route.dependant):
            call = dependant.call
            if call is None or not _is_async(call):
                continue
            if any(sub.call is get_db_session for sub in dependant.dependencies):
                offenders.add(f"{route.path}: {_name(call)} (depends on the database session)")
            elif marker := DATABASE_MARKERS.search(_source(call)):
                offenders.add(f"{route.path}: {_name(call)} (mentions {marker.group(0)})")
    return sorted(offenders)


def test_no_async_route_or_dependency_touches_the_database(tmp_path):
    app = create_app(get_settings(), Database(f"sqlite:///{tmp_path / 'guard.db'}"))
    assert len(_api_routes(app)) > 100, "the walk found too few routes to mean anything"
    assert loop_blockers(app) == []


def test_the_guard_names_an_async_route_that_takes_the_session():
    app = FastAPI()

    @app.post("/pay")
    async def pay(db: DbSession) -> dict:
        return {}

    assert loop_blockers(app) == ["/pay: tests.core.test_event_loop_guard."
                                  "test_the_guard_names_an_async_route_that_takes_the_session.<locals>.pay "
                                  "(depends on the database session)"]


def test_the_guard_names_an_async_dependency_that_opens_its_own_session():
    def sync_lookup(db: DbSession) -> int:
        return 1

    async def who_is_calling(request: Request) -> int:
        with request.app.state.database.session_scope():
            return 1

    app = FastAPI()

    @app.get("/fine")
    def fine(n: int = Depends(sync_lookup)) -> dict:
        return {}

    @app.get("/me")
    def me(n: int = Depends(who_is_calling)) -> dict:
        return {}

    [offender] = loop_blockers(app)
    assert offender.startswith("/me: ") and "who_is_calling" in offender and "state.database" in offender
