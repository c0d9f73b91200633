"""Per-address login throttle, on top of the per-account lockout kept in the database.

In-process sliding window: enough for one server process; a multi-process deployment swaps in
a Redis-backed window behind the same `check`.
"""
import threading
import time
from collections import defaultdict, deque

from healthhub.core.errors import TooManyRequests


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
                                      code="login-rate-limited")
            hits.append(now)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


login_limiter = SlidingWindowLimiter(limit=30, window_seconds=60)
