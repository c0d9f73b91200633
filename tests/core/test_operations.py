from datetime import UTC, datetime, timedelta

import jwt
import pytest

from healthhub.core.config import Settings

# The signing secret this repository once shipped as its demo default: public, so never to be trusted.
FORMER_PUBLIC_DEMO_SECRET = "demo-secret-key-change-me-0123456789abcdef"


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


def test_production_refuses_to_start_without_explicit_keys(tmp_path):
    Settings(key_dir=tmp_path)  # generated installation keys exist, yet production must not fall back on them
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(env="production", key_dir=tmp_path)
    with pytest.raises(ValueError, match="PII_KEY"):
        Settings(env="production", key_dir=tmp_path, secret_key="x" * 40)
    with pytest.raises(ValueError, match="PUBLIC_ID_KEY"):
        Settings(env="production", key_dir=tmp_path, secret_key="x" * 40, pii_key="ab" * 16)
    private = {"secret_key": "x" * 40, "pii_key": "ab" * 16, "public_id_key": "cd" * 16}
    with pytest.raises(ValueError, match="COOKIE_SECURE"):
        Settings(env="production", **private)
    Settings(env="production", cookie_secure=True, **private)  # a private set-up starts


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


def test_demo_runs_with_no_configuration_on_keys_of_its_own(tmp_path):
    settings = Settings(key_dir=tmp_path / "keys")
    assert settings.is_sqlite and len(settings.secret_key) >= 32 and len(bytes.fromhex(settings.pii_key)) == 16
    assert settings.secret_key != FORMER_PUBLIC_DEMO_SECRET
    for name in ("secret.key", "pii.key"):
        assert (tmp_path / "keys" / name).stat().st_mode & 0o077 == 0  # readable by the owner only


def test_installation_keys_persist_and_differ_between_installations(tmp_path):
    first, again, other = (Settings(key_dir=tmp_path / "a"), Settings(key_dir=tmp_path / "a"),
                           Settings(key_dir=tmp_path / "b"))
    assert (again.secret_key, again.pii_key) == (first.secret_key, first.pii_key)
    assert other.secret_key != first.secret_key and other.pii_key != first.pii_key


def test_configured_keys_win_over_installation_keys(tmp_path):
    settings = Settings(key_dir=tmp_path, secret_key="s" * 32, pii_key="ab" * 16)
    assert (settings.secret_key, settings.pii_key) == ("s" * 32, "ab" * 16)
    assert not (tmp_path / "secret.key").exists()


def test_bad_keys_are_refused(tmp_path):
    with pytest.raises(ValueError, match="32 hex"):
        Settings(key_dir=tmp_path, pii_key="abcd")
    with pytest.raises(ValueError, match="32 hex"):
        Settings(key_dir=tmp_path, pii_key="zz" * 16)
    with pytest.raises(ValueError, match="32\\+ characters"):
        Settings(key_dir=tmp_path, secret_key="short")


def test_a_token_signed_with_the_former_public_demo_secret_is_refused(client, make_user):
    user, headers = make_user("admin")
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    now = datetime.now(UTC)
    forged = jwt.encode({"sub": str(user.id), "typ": "access", "role": "admin", "iat": now,
                         "exp": now + timedelta(minutes=5), "jti": "forged"}, FORMER_PUBLIC_DEMO_SECRET,
                        algorithm="HS256")
    response = client.get("/api/v1/users", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


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


def test_logged_tracebacks_keep_types_and_frames_but_no_messages():
    import logging  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from healthhub.core.observability import JsonFormatter, ValueFreeFormatter  # noqa: PLC0415

    try:
        try:
            raise LookupError("mobile 13912345678 not found")
        except LookupError as exc:
            raise ExceptionGroup("for 110105199005170013", [ValueError("chat: 胸口疼")]) from exc
    except ExceptionGroup:
        record = logging.LogRecord("healthhub.errors", logging.ERROR, __file__, 1, "unhandled", (), sys.exc_info())
    for formatter in (JsonFormatter(), ValueFreeFormatter("%(message)s")):
        text = formatter.format(record)
        assert "LookupError" in text and "ExceptionGroup" in text and "ValueError" in text
        assert "test_operations.py" in text  # the frames, for whoever debugs it
        assert "13912345678" not in text and "110105199005170013" not in text and "胸口疼" not in text


def test_libraries_that_echo_values_stay_quiet_at_debug_level():
    import logging  # noqa: PLC0415

    from healthhub.core.observability import VALUE_ECHOING_LOGGERS, configure_logging  # noqa: PLC0415

    root = logging.getLogger()
    handlers, level = root.handlers, root.level
    try:
        configure_logging("DEBUG", as_json=True)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
        assert not logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO)
        assert all(logging.getLogger(name).getEffectiveLevel() == logging.WARNING for name in VALUE_ECHOING_LOGGERS)
    finally:
        root.handlers, root.level = handlers, level


def test_demo_accounts_are_never_seeded_in_production(monkeypatch, tmp_path):
    from typer.testing import CliRunner  # noqa: PLC0415

    from healthhub.cli import app  # noqa: PLC0415
    from healthhub.core.config import get_settings  # noqa: PLC0415

    database_file = tmp_path / "prod.db"
    for name, value in {"ENV": "production", "SECRET_KEY": "p" * 40, "PII_KEY": "cd" * 16, "PUBLIC_ID_KEY": "ef" * 16,
                        "COOKIE_SECURE": "true",
                        "PUBLIC_URL": "https://healthhub.example.org",
                        "DATABASE_URL": f"sqlite:///{database_file}"}.items():
        monkeypatch.setenv(f"HEALTHHUB_{name}", value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["seed"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 2 and "production" in result.output
    assert not database_file.exists()
