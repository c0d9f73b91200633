"""Test data builders shared by all domains' tests (real rows through real services)."""
import itertools
from datetime import date

from sqlalchemy.orm import Session

from healthhub.core.identity_numbers import make_resident_id
from healthhub.core.public_ids import encode as pid  # noqa: F401  (tests put row keys into URLs as public ids)
from healthhub.identity.schemas import UserCreate
from healthhub.identity.service import create_user, issue_tokens

TEST_PASSWORD = "Test-2026-hh"
_counter = itertools.count(1)


def next_id() -> int:
    return next(_counter)


def valid_id_number(*, birth: date = date(1990, 5, 17), female: bool = False, region: str = "110105") -> str:
    return make_resident_id(region, birth, next_id() % 1000, female=female)


def create_user_with_token(db: Session, *, role: str, username: str | None = None, **fields):
    n = next_id()
    user = create_user(db, data=UserCreate(username=username or f"{role}_{n}", display_name=fields.pop(
        "display_name", f"测试{role}{n}"), role=role, password=fields.pop("password", TEST_PASSWORD), **fields))
    tokens = issue_tokens(db, user=user)
    return user, {"Authorization": f"Bearer {tokens.access_token}"}


def page_login(client, username: str, password: str = TEST_PASSWORD, next: str = "/home"):
    """Logs in through the login form as a browser does: load the form (CSRF cookie and token), then post it.
    A session the client already holds is dropped first (a logged-in browser is sent past the form)."""
    client.cookies.delete("hh_session")
    form = client.get("/login").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/login", data={"username": username, "password": password, "next": next,
                                       "csrf_token": token}, follow_redirects=False)
