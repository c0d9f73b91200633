"""`make bench`: runs every bench/bench_*.py module's `run(report)` (or only those named)."""
import importlib
import sys
from pathlib import Path

from bench.harness import Report


def main(selected: list[str]) -> int:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    report = Report()
    for name in names:
        print(f"\n== {name}", flush=True)
        importlib.import_module(f"bench.{name}").run(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
