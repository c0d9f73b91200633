"""Timed HTTP calls from many threads, kept for the assertions and the printed figures."""
import math
import threading
import time
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Call:
    label: str
    status: int | str  # the HTTP status, or what went wrong when no answer came
    seconds: float
    retry_after: str | None


class Calls:
    def __init__(self):
        self.rows: list[Call] = []
        self._lock = threading.Lock()

    def send(self, client: httpx.Client, method: str, url: str, label: str, **kwargs) -> httpx.Response | None:
        started = time.monotonic()
        response = None
        try:
            response = client.request(method, url, **kwargs)
            status: int | str = response.status_code
        except httpx.TransportError as exc:  # timeouts included: recorded, then failed on by the test
            status = type(exc).__name__
        call = Call(label, status, time.monotonic() - started,
                    response.headers.get("retry-after") if response is not None else None)
        with self._lock:
            self.rows.append(call)
        return response

    def of(self, label: str) -> list[Call]:
        with self._lock:
            return [c for c in self.rows if c.label == label]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]
