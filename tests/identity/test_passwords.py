"""Password policy: length, common passwords and the username, the same for API, CLI and seeds."""
import pytest
from sqlalchemy import select

from healthhub.core.errors import RuleViolation
from healthhub.identity.models import User
from healthhub.identity.passwords import COMMON_PASSWORDS_FILE, MIN_LENGTH, check_password_policy, common_passwords
from healthhub.identity.schemas import UserCreate
from healthhub.identity.seed import DEMO_PASSWORD, DEMO_USERNAMES
from healthhub.identity.service import create_user
from tests.factories import TEST_PASSWORD


@pytest.mark.parametrize(("password", "code"), [
    ("", "password-too-short"),
    ("Sh0rt-pw!", "password-too-short"),                # 9 characters
    ("1234567890", "password-too-common"),
    ("PASSWORD123", "password-too-common"),             # the list is compared case-insensitively
    ("qwertyuiop", "password-too-common"),
    ("5201314520", "password-too-common"),             # "I love you for ever", from Chinese leaks
    ("my-Ward_Nurse-2026", "password-contains-username"),  # the username, in any case
])
def test_weak_passwords_are_refused_with_a_reason(password, code):
    with pytest.raises(RuleViolation) as refused:
        check_password_policy(password, username="ward_nurse")
    assert refused.value.code == code and refused.value.status == 422
    assert " / " in refused.value.detail  # Chinese / English


@pytest.mark.parametrize("password", ["correct horse battery", "Ward-2026-night", "x" * MIN_LENGTH])
def test_long_uncommon_passwords_pass(password):
    check_password_policy(password, username="ward_nurse")


def test_the_list_is_ours_and_names_its_sources():
    text = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    header = " ".join(line for line in text.splitlines() if line.startswith("#"))
    assert "NCSC" in header and "SecLists" in header
    assert len(common_passwords()) >= 300 and not any(p.startswith("# ") for p in common_passwords())


def test_demo_and_test_passwords_pass_the_policy():
    for username in [*DEMO_USERNAMES.values(), "doctor_002", "patient_000001"]:
        check_password_policy(DEMO_PASSWORD, username=username)
    check_password_policy(TEST_PASSWORD, username="patient_1")


def test_the_api_refuses_a_weak_password_with_a_bilingual_422(client, db, make_user):
    _, headers = make_user("admin")
    response = client.post("/api/v1/users", headers=headers, json={
        "username": "night_nurse", "display_name": "夜班护士", "role": "nurse", "password": "Password123"})
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "password-too-common" and "常见" in body["detail"] and "common" in body["detail"]
    assert db.execute(select(User).where(User.username == "night_nurse")).first() is None


def test_the_service_refuses_it_for_every_caller(db):
    with pytest.raises(RuleViolation):
        create_user(db, data=UserCreate(username="seeded_doc", display_name="医生", role="doctor",
                                        password="seeded_doc-2026"))
