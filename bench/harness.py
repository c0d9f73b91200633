"""Benchmark harness: each bench module measures our code and a baseline in the same process
and reports the ratio, so results compare across machines. Timings never gate tests."""
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Report:
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, name: str, value: float | str, unit: str = "") -> None:
        text = f"{value:,.3f}" if isinstance(value, float) else str(value)
        self.rows.append((name, text, unit))
        print(f"  {name:<60} {text:>16} {unit}", flush=True)


def time_calls(fn: Callable[[], object], *, repeat: int) -> list[float]:
    """Seconds per call for `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
