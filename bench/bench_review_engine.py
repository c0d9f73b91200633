"""Prescription-review engine throughput on the full knowledge base (curated + ATC + DDInter + NHSA).

Request mix: the labelled evaluation prescriptions with 1-3 items (tests/review_cases), i.e. real
drug names, doses, diagnoses and patients, cycled. Ours: `review()` with dict-indexed names and
interaction pairs. Baseline, same process and same rules: a knowledge base that finds names by
scanning the drug list and interactions by scanning the pair list, with nothing memoised, which is
what a straightforward port of a table-driven checker does. Single thread: figures are per core.
"""
import time
from datetime import date
from pathlib import Path

from bench.harness import Report, median, percentile
from healthhub.core.config import get_settings
from healthhub.knowledge.builder import build_knowledge_base
from healthhub.knowledge.kb import KnowledgeBase, normalize_name
from healthhub.review.engine import review
from healthhub.review.evaluation import load_cases

CASES_DIR = Path(__file__).resolve().parents[1] / "tests" / "review_cases"
TODAY = date(2026, 11, 20)
OURS_SECONDS = 3.0
BASELINE_REVIEWS = 60


class _NoMemo(dict):
    """A `derived` store that forgets: the baseline redoes every lookup on every call."""

    def setdefault(self, key, default=None):
        return {} if default is None else type(default)()


class ScanningKnowledgeBase(KnowledgeBase):
    """Same facts, list scans instead of dict lookups for names and interaction pairs."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__()
        self.__dict__.update({k: v for k, v in kb.__dict__.items() if k != "derived"})
        self.derived = _NoMemo()
        self._name_list = list(kb._names.items())
        self._trade_list = list(kb._trade_names.items())
        self._pair_list = list(kb.interactions.items())

    def _scan(self, pairs, name):
        wanted = normalize_name(name)
        return next((self._drugs[key] for text, key in pairs if text == wanted), None)

    def resolve(self, name_or_atc):
        return self._scan(self._name_list, name_or_atc)

    def resolve_trade_name(self, name):
        return self._scan(self._trade_list, name)

    def _lookup_with_salts(self, name):
        return self.resolve(name)

    def interaction(self, key_a, key_b):
        pair = (key_a, key_b) if key_a < key_b else (key_b, key_a)
        return next((fact for p, fact in self._pair_list if p == pair), None)


def _requests():
    return [case.request for case in load_cases(CASES_DIR) if len(case.request.items) <= 3]


def _throughput(kb: KnowledgeBase, requests, *, seconds: float | None = None, count: int | None = None):
    latencies = []
    started = time.perf_counter()
    i = 0
    while (seconds is not None and time.perf_counter() - started < seconds) or (count is not None and i < count):
        request = requests[i % len(requests)]
        t0 = time.perf_counter()
        review(request, kb=kb, today=TODAY)
        latencies.append(time.perf_counter() - t0)
        i += 1
    return i / (time.perf_counter() - started), latencies


def run(report: Report) -> None:
    started = time.perf_counter()
    kb = build_knowledge_base(get_settings().data_dir)
    load_seconds = time.perf_counter() - started
    requests = _requests()
    report.add("review: knowledge base drugs", f"{len(kb):,}")
    report.add("review: knowledge base interaction pairs", f"{len(kb.interactions):,}")
    report.add("review: knowledge base load", load_seconds, "s")
    report.add("review: request mix (1-3 item prescriptions)", f"{len(requests)}")
    _throughput(kb, requests, count=len(requests))  # warm the name memo, as a running server has
    ours, latencies = _throughput(kb, requests, seconds=OURS_SECONDS)
    report.add("review: ours, reviews per second per core", ours, "/s")
    report.add("review: ours, median latency", median(latencies) * 1e6, "µs")
    report.add("review: ours, p99 latency", percentile(latencies, 99) * 1e6, "µs")
    baseline, _ = _throughput(ScanningKnowledgeBase(kb), requests, count=BASELINE_REVIEWS)
    report.add("review: baseline (list scans), reviews per second per core", baseline, "/s")
    report.add("review: speed-up ours / baseline", ours / baseline, "x")
