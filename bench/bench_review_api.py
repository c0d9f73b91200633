"""p50/p99 of POST /api/v1/review through the real ASGI app (tenant API key, database migrated like
production: a temporary SQLite file and, when reachable, a throw-away PostgreSQL database), next to
the pure engine call on the same request in the same process. The ratio is the service overhead:
key check, validation, persistence with its audit entry and commit, JSON."""
import os
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.harness import Report, median, percentile, time_calls

PG_URL = os.environ.get("HEALTHHUB_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUESTS = 300
REQUEST = {"patient": {"age_years": 58, "sex": "F", "weight_kg": 61, "allergies": ["青霉素"], "conditions": ["I10"]},
           "diagnoses": ["I10", "E78.0"],
           "items": [{"drug": "氨氯地平", "dose_mg": 5, "times_per_day": 1, "route": "oral", "days": 7},
                     {"drug": "辛伐他汀", "dose_mg": 40, "times_per_day": 1, "route": "oral", "days": 7}]}


def _api_latencies(url: str) -> list[float]:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from healthhub.app import create_app  # noqa: PLC0415
    from healthhub.core.config import get_settings  # noqa: PLC0415
    from healthhub.core.db import Database  # noqa: PLC0415
    from healthhub.core.migrations import upgrade  # noqa: PLC0415
    from healthhub.review import tenants as tenant_service  # noqa: PLC0415

    upgrade(url)
    database = Database(url)
    with database.session_scope() as session:
        _, api_key, _ = tenant_service.create_tenant(session, code="bench-clinic", name="基准测试诊所",
                                                     webhook_url=None, auto_approve_pass=False, actor_user_id=None)
    headers = {"X-Api-Key": api_key}
    with TestClient(create_app(get_settings(), database)) as client:
        for _ in range(20):  # warm-up: first requests compile routes and fill caches
            client.post("/api/v1/review", json=REQUEST, headers=headers)

        def call():
            response = client.post("/api/v1/review", json=REQUEST, headers=headers)
            assert response.status_code == 200, response.text

        samples = time_calls(call, repeat=REQUESTS)
    database.dispose()
    return samples


def _pg_admin(statement: str) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def run(report: Report) -> None:
    os.environ.setdefault("HEALTHHUB_LOG_LEVEL", "WARNING")
    from healthhub.review.engine import review  # noqa: PLC0415
    from healthhub.review.schemas import ReviewRequest  # noqa: PLC0415

    request = ReviewRequest.model_validate(REQUEST)
    review(request)  # builds the knowledge base once, outside every measurement
    engine = time_calls(lambda: review(request), repeat=REQUESTS)
    report.add("engine review() p50 (baseline, same request)", median(engine) * 1000, "ms")
    report.add("engine review() p99", percentile(engine, 99) * 1000, "ms")
    backends = [("SQLite", None)]
    try:
        name = f"hh_bench_review_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        backends.append(("PostgreSQL", name))
    except Exception as exc:  # noqa: BLE001  (no PostgreSQL here: report SQLite only)
        report.add("PostgreSQL", f"skipped ({type(exc).__name__})")
    for label, pg_name in backends:
        with tempfile.TemporaryDirectory() as folder:
            url = (f"sqlite:///{Path(folder) / 'bench.db'}" if pg_name is None
                   else make_url(PG_URL).set(database=pg_name).render_as_string(hide_password=False))
            try:
                api = _api_latencies(url)
            finally:
                if pg_name:
                    _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        report.add(f"POST /api/v1/review p50 ({label}, API key)", median(api) * 1000, "ms")
        report.add(f"POST /api/v1/review p99 ({label})", percentile(api, 99) * 1000, "ms")
        report.add(f"service overhead factor ({label}: API p50 / engine p50)", median(api) / median(engine), "x")
