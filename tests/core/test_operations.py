import pytest

from healthhub.core.config import DEMO_SECRET_KEY, Settings


def test_health_ready_and_metrics(client, backend):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["database"] == backend
    client.get("/healthz")
    metrics = client.get("/metrics").text
    assert 'healthhub_http_requests_total{method="GET",route="/healthz",status="200"}' in metrics


def test_every_response_carries_a_request_id(client):
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "trace-12345678"}).headers["x-request-id"] == \
        "trace-12345678"


def test_production_refuses_the_demo_secrets():
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(env="production")
    with pytest.raises(ValueError, match="PII_KEY"):
        Settings(env="production", secret_key="x" * 40)
    with pytest.raises(ValueError, match="COOKIE_SECURE"):
        Settings(env="production", secret_key="x" * 40, pii_key="ab" * 16)
    Settings(env="production", secret_key="x" * 40, pii_key="ab" * 16, cookie_secure=True)  # a private set-up starts


def test_unexpected_errors_are_problem_json_without_internals(database):
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from healthhub.app import create_app  # noqa: PLC0415

    app = create_app(database=database)

    @app.get("/api/v1/explode")
    def explode():
        raise RuntimeError("secret connection string postgres://admin:pw@db")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode", headers={"X-Request-ID": "trace-boom-0001"})
        page = client.get("/api/v1/explode", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "internal-error" and body["request_id"] == "trace-boom-0001"
    assert response.headers["x-request-id"] == "trace-boom-0001"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert page.status_code == 500 and "secret" not in page.text and "Traceback" not in page.text


def test_demo_runs_with_no_configuration():
    settings = Settings()
    assert settings.secret_key == DEMO_SECRET_KEY and settings.is_sqlite


def test_bad_pii_key_is_refused():
    with pytest.raises(ValueError, match="32 hex"):
        Settings(pii_key="abcd")


def test_logs_are_json_with_the_request_id():
    import json  # noqa: PLC0415
    import logging  # noqa: PLC0415

    from healthhub.core.context import request_id_var  # noqa: PLC0415
    from healthhub.core.observability import JsonFormatter  # noqa: PLC0415

    token = request_id_var.set("rid-42")
    try:
        record = logging.LogRecord("healthhub.http", logging.INFO, __file__, 1, "GET %s", ("/healthz",), None)
        record.fields = {"status": 200}
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["msg"] == "GET /healthz" and line["request_id"] == "rid-42" and line["status"] == 200
