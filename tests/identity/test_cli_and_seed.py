import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from healthhub.core.audit import AuditEntry
from healthhub.core.config import get_settings
from healthhub.core.public_ids import decode
from healthhub.identity.models import User
from healthhub.identity.roles import Role
from healthhub.identity.seed import DEMO_USERNAMES
from healthhub.identity.seed import seed as seed_identity
from healthhub.seed.context import SeedContext


@pytest.fixture
def cli(committed_db, monkeypatch):
    from healthhub.cli import app  # noqa: PLC0415

    monkeypatch.setenv("HEALTHHUB_DATABASE_URL", committed_db.url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()


def test_users_create_makes_an_audited_account(cli, committed_db):
    result = cli("users", "create", "ward_nurse", "nurse", "--display-name", "病房护士", "--password", "Ward-2026-night",
                 "--mobile", "13600001234")
    assert result.exit_code == 0, result.output
    with committed_db.session_scope() as session:
        user = session.execute(select(User).where(User.username == "ward_nurse")).scalar_one()
        assert (user.role, user.mobile) == ("nurse", "13600001234")
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "user.create")).scalar_one()
        assert entry.entity_id == str(user.id)


@pytest.mark.parametrize(("args", "message"), [
    (("bad name", "nurse", "--password", "Ward-2026-night"), "username"),
    (("someone", "wizard", "--password", "Ward-2026-night"), "role"),
    (("someone", "nurse", "--password", "short"), "at least 10 characters"),
    (("someone", "nurse", "--password", "password1234"), "most common"),
])
def test_users_create_explains_bad_input(cli, args, message):
    result = cli("users", "create", *args)
    assert result.exit_code == 2 and message in result.output


def test_seed_is_deterministic_and_idempotent(db, tmp_path):
    ctx = SeedContext(scale="small", seed=7, data_dir=tmp_path)
    first = seed_identity(db, ctx)
    names = dict(db.execute(select(User.username, User.display_name)).all())
    again = seed_identity(db, SeedContext(scale="small", seed=7, data_dir=tmp_path))
    assert first == again and len(first) == len(Role)
    assert db.execute(select(func.count()).select_from(User)).scalar_one() == len(Role)
    assert dict(db.execute(select(User.username, User.display_name)).all()) == names
    patient = db.execute(select(User).where(User.username == DEMO_USERNAMES[Role.PATIENT])).scalar_one()
    assert patient.id_number and patient.mobile


def test_api_writes_are_audited_with_who_and_where(client, make_user, db):
    admin, headers = make_user("admin")
    response = client.post("/api/v1/users", headers={**headers, "X-Request-ID": "req-audit-0001"}, json={
        "username": "audited_doc", "display_name": "医生", "role": "doctor", "password": "Clinic-2026-day"})
    assert response.status_code == 201
    entry = db.execute(select(AuditEntry).where(AuditEntry.entity_id == str(decode(response.json()["id"])))).scalar_one()
    assert (entry.actor_id, entry.actor_role, entry.request_id) == (admin.id, "admin", "req-audit-0001")
    assert entry.client_ip == "testclient"
