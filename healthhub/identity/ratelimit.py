"""Login throttling: a per-address sliding window, and a lockout with backoff per (username, address) pair.

The window slows one address spraying many accounts. The pair lockout stops guessing one account's
password, without letting someone elsewhere lock its owner out: failing from one address never locks
the pair the owner logs in from. Unknown usernames go through exactly the same steps, so neither the
answers nor the lockouts tell which usernames exist.

The window is in-process: enough for one server process (the pair lockout lives in the database and
holds across processes); a multi-process deployment swaps in a Redis-backed window behind `check`.
"""
import threading
import time
from collections import defaultdict, deque
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthhub.core.config import get_settings
from healthhub.core.crypto import field_cipher
from healthhub.core.errors import TooManyRequests
from healthhub.identity.errors import ErrorCode
from healthhub.identity.models import LoginFailure

# The longest a pair stays locked, however often it failed; a pair quiet for this long starts afresh.
MAX_LOCKOUT = timedelta(hours=24)


class SlidingWindowLimiter:
    def __init__(self, limit: int, window_seconds: float):
        self.limit, self.window = limit, window_seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise TooManyRequests("登录请求过于频繁，请稍后再试 / too many login attempts from this address",
                                      code=ErrorCode.LOGIN_RATE_LIMITED)
            hits.append(now)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


login_limiter = SlidingWindowLimiter(limit=30, window_seconds=60)


def lockout_for(lockouts_before: int) -> timedelta:
    """The first lockout lasts `login_lockout_minutes`; each further one twice as long, up to MAX_LOCKOUT."""
    first = timedelta(minutes=get_settings().login_lockout_minutes)
    return min(first * 2 ** min(lockouts_before, 16), MAX_LOCKOUT)


def failure_pair(session: Session, *, username: str, client_ip: str) -> LoginFailure | None:
    """The pair's row, locked for this transaction (two concurrent failures both count)."""
    return session.execute(select(LoginFailure).where(
        LoginFailure.account_key == _account_key(username), LoginFailure.client_ip == client_ip[:64],
    ).with_for_update()).scalar_one_or_none()


def refuse_if_locked(pair: LoginFailure | None, now: datetime) -> None:
    if pair is not None and pair.locked_until is not None and pair.locked_until > now:
        minutes = max(1, int((pair.locked_until - now).total_seconds() // 60) + 1)
        raise TooManyRequests(f"登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins, try again in "
                              f"{minutes} min", code=ErrorCode.ACCOUNT_LOCKED)


def record_failure(session: Session, *, pair: LoginFailure | None, username: str, client_ip: str,
                   now: datetime) -> bool:
    """Counts one failure; returns True when it starts a lockout."""
    if pair is None:
        pair = _new_pair(session, username=username, client_ip=client_ip, now=now)
    pair.failures += 1
    pair.last_failed_at = now
    if pair.failures < get_settings().login_max_failures:
        return False
    pair.locked_until = now + lockout_for(pair.lockouts)
    pair.failures, pair.lockouts = 0, pair.lockouts + 1
    return True


def clear(session: Session, pair: LoginFailure | None) -> None:
    if pair is not None:
        session.delete(pair)


def prune_login_failures(session: Session, now: datetime) -> int:
    """Forgets pairs quiet for MAX_LOCKOUT (their lockout, at most that long, is over). Run by identity.jobs."""
    return session.execute(delete(LoginFailure).where(LoginFailure.last_failed_at < now - MAX_LOCKOUT)).rowcount


def _account_key(username: str) -> str:
    return field_cipher().blind_index(username)


def _new_pair(session: Session, *, username: str, client_ip: str, now: datetime) -> LoginFailure:
    while True:
        pair = LoginFailure(account_key=_account_key(username), client_ip=client_ip[:64], failures=0, lockouts=0,
                            last_failed_at=now)
        try:
            with session.begin_nested():
                session.add(pair)
            return pair
        except IntegrityError:
            # A concurrent failure of the same pair inserted it first: count on its row (unless a
            # successful login cleared it meanwhile; then try inserting again).
            if (found := failure_pair(session, username=username, client_ip=client_ip)) is not None:
                return found
