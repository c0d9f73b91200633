"""Login throttling: the client address (trusted proxies only), the per-address window, and the lockout
per (username, address) pair that neither reveals usernames nor lets anyone lock the owner out."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from healthhub.core.config import get_settings
from healthhub.core.db import utcnow
from healthhub.core.observability import client_address, trusted_networks
from healthhub.identity.models import LoginFailure
from healthhub.identity.ratelimit import MAX_LOCKOUT, login_limiter, lockout_for, prune_login_failures
from tests.factories import TEST_PASSWORD

WRONG = "Wrong-pass-1234"
ATTACKER, OWNER, PROXY = "198.51.100.66", "192.0.2.10", "10.0.0.2"


@pytest.fixture
def at(app):
    """at(address): a client whose requests arrive from that address, as the server's peer."""
    @contextmanager
    def client_at(address: str):
        with TestClient(app, raise_server_exceptions=False, client=(address, 50000)) as client:
            yield client
    return client_at


@pytest.fixture
def three_failures_lock(monkeypatch):
    monkeypatch.setattr(get_settings(), "login_max_failures", 3)


def _login(client, username, password=TEST_PASSWORD, **headers):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password}, headers=headers)


def _answer(response) -> tuple:
    body = response.json()
    return response.status_code, body["code"], body["detail"], body["title"]


# --- which address is the client ------------------------------------------------------------------------

@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.5", "1.2.3.4", "203.0.113.5"),                   # untrusted peer: its header is ignored
    ("10.0.0.2", None, "10.0.0.2"),
    ("10.0.0.2", "203.0.113.5", "203.0.113.5"),                  # one trusted proxy
    ("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.9", "203.0.113.5"),  # two proxies; 1.2.3.4 is the client's claim
    ("10.0.0.2", "10.0.0.7, 10.0.0.9", "10.0.0.7"),              # all trusted: the leftmost hop is as far as we see
    ("10.0.0.2", "not-an-ip, 203.0.113.5", "203.0.113.5"),
    ("10.0.0.2", "203.0.113.5, <script>", "10.0.0.2"),           # garbage from the proxy's side: stop at the proxy
    ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ("testclient", "1.2.3.4", "testclient"),
    (None, "1.2.3.4", None),
])
def test_forwarded_for_is_believed_only_from_trusted_proxies(peer, forwarded, expected):
    assert client_address(peer, forwarded, trusted_networks(("10.0.0.0/8", "::1"))) == expected


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limiter(at, make_user, monkeypatch):
    user, _ = make_user("patient")
    monkeypatch.setattr(login_limiter, "limit", 2)
    with at(ATTACKER) as client:
        assert _login(client, user.username, **{"X-Forwarded-For": "203.0.113.1"}).status_code == 200
        assert _login(client, user.username, **{"X-Forwarded-For": "203.0.113.2"}).status_code == 200
        refused = _login(client, user.username, **{"X-Forwarded-For": "203.0.113.3"})
    assert refused.status_code == 429 and refused.json()["code"] == "login-rate-limited"


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(at, make_user, monkeypatch):
    user, _ = make_user("patient")
    monkeypatch.setattr(get_settings(), "trusted_proxies", ["10.0.0.0/24"])
    monkeypatch.setattr(login_limiter, "limit", 2)
    with at(PROXY) as proxy:
        for _ in range(2):
            assert _login(proxy, user.username, **{"X-Forwarded-For": f"8.8.8.8, {ATTACKER}"}).status_code == 200
        assert _login(proxy, user.username, **{"X-Forwarded-For": ATTACKER}).status_code == 429
        assert _login(proxy, user.username, **{"X-Forwarded-For": OWNER}).status_code == 200


# --- lockout per (username, address) --------------------------------------------------------------------

def test_an_attacker_locks_only_himself_and_the_owner_still_logs_in(at, make_user, three_failures_lock):
    user, _ = make_user("pharmacist")
    with at(ATTACKER) as attacker, at(OWNER) as owner:
        assert [_login(attacker, user.username, WRONG).status_code for _ in range(3)] == [401, 401, 401]
        locked = _login(attacker, user.username)  # even the right password, from the attacker's address
        assert locked.status_code == 429 and locked.json()["code"] == "account-locked"
        assert _login(owner, user.username).status_code == 200


def test_a_successful_login_clears_the_count_of_its_pair(at, make_user, three_failures_lock):
    user, _ = make_user("nurse")
    with at(OWNER) as owner:
        for _ in range(2):
            _login(owner, user.username, WRONG)
        assert _login(owner, user.username).status_code == 200
        assert [_login(owner, user.username, WRONG).status_code for _ in range(2)] == [401, 401]


def test_unknown_and_known_usernames_get_identical_answers(at, make_user, three_failures_lock):
    user, _ = make_user("doctor")
    with at(ATTACKER) as client:
        known = [_answer(_login(client, user.username, WRONG)) for _ in range(5)]
        unknown = [_answer(_login(client, "nobody_here", WRONG)) for _ in range(5)]
    assert known == unknown
    assert [status for status, *_ in known] == [401, 401, 401, 429, 429]


def test_unknown_and_known_usernames_leave_the_same_trace(at, db, make_user, three_failures_lock):
    from healthhub.core.audit import AuditEntry  # noqa: PLC0415

    user, _ = make_user("doctor")
    with at(ATTACKER) as client:
        for username in (user.username, "nobody_here"):
            for _ in range(3):
                _login(client, username, WRONG)
    pairs = db.execute(select(LoginFailure.client_ip, LoginFailure.lockouts)).all()
    assert sorted(pairs) == [(ATTACKER, 1), (ATTACKER, 1)]
    locks = db.execute(select(AuditEntry.entity_type, AuditEntry.entity_id).where(
        AuditEntry.action == "login.locked")).all()
    assert locks == [("login-pair", ATTACKER)] * 2
    stored = " ".join(key for (key,) in db.execute(select(LoginFailure.account_key)))
    assert user.username not in stored and "nobody_here" not in stored


def test_each_lockout_of_a_pair_lasts_twice_as_long(at, db, make_user, three_failures_lock):
    user, _ = make_user("merchant")
    with at(ATTACKER) as client:
        lengths = []
        for _ in range(3):
            for _ in range(3):
                _login(client, user.username, WRONG)
            pair = db.execute(select(LoginFailure)).scalar_one()
            lengths.append(pair.locked_until - pair.last_failed_at)
            # The lockout ran out: the next round of guesses may begin.
            db.execute(update(LoginFailure).values(locked_until=utcnow() - timedelta(seconds=1)))
    first = timedelta(minutes=get_settings().login_lockout_minutes)
    assert lengths == [first, 2 * first, 4 * first]


def test_backoff_is_capped():
    assert lockout_for(0) < lockout_for(1) < lockout_for(2)
    assert lockout_for(40) == lockout_for(1000) == MAX_LOCKOUT


def test_quiet_pairs_are_pruned(at, db, make_user):
    user, _ = make_user("patient")
    with at(ATTACKER) as client:
        _login(client, user.username, WRONG)
    with at(OWNER) as client:
        _login(client, user.username, WRONG)
    db.execute(update(LoginFailure).where(LoginFailure.client_ip == ATTACKER)
               .values(last_failed_at=utcnow() - MAX_LOCKOUT - timedelta(minutes=1)))
    assert prune_login_failures(db, utcnow()) == 1
    assert db.execute(select(LoginFailure.client_ip)).scalars().all() == [OWNER]
