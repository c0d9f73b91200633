"""Evaluation of the review engine against the labelled cases in tests/review_cases/.

`python -m healthhub.review.evaluation tests/review_cases` (`make eval`) prints per-family precision
and recall and the overall verdict accuracy.

A case file is JSONL; each line: {"id", "description", "request", "expected": {"verdict", "families"},
optional "today" (ISO date for validity checks) and "requires_shared_data" (true when the expectation
rests on DDInter or other shared data sets; skipped when they are absent)}.
`families` lists the families with at least one warn or block finding: what a pharmacist must act on.
Info findings ("not checked") are reported but not scored.
"""
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from healthhub.knowledge.kb import KnowledgeBase
from healthhub.knowledge.service import get_knowledge_base
from healthhub.review.engine import review
from healthhub.review.schemas import Family, ReviewRequest, Severity


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    request: ReviewRequest
    verdict: str
    families: frozenset[str]
    today: date | None
    requires_shared_data: bool
    origin: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    verdict: str
    families: frozenset[str]

    @property
    def correct(self) -> bool:
        return self.verdict == self.case.verdict and self.families == self.case.families


@dataclass
class Scores:
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[Case] = field(default_factory=list)

    def family_table(self) -> dict[str, tuple[int, int, int]]:
        """family -> (true positives, false positives, false negatives)."""
        table = {}
        for family in Family:
            tp = sum(1 for o in self.outcomes if family in o.families and family in o.case.families)
            fp = sum(1 for o in self.outcomes if family in o.families and family not in o.case.families)
            fn = sum(1 for o in self.outcomes if family not in o.families and family in o.case.families)
            table[family.value] = (tp, fp, fn)
        return table

    @property
    def verdict_accuracy(self) -> float:
        return sum(o.verdict == o.case.verdict for o in self.outcomes) / max(1, len(self.outcomes))


def load_cases(directory: Path) -> Iterator[Case]:
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            data = json.loads(line)
            expected = data["expected"]
            unknown = set(expected["families"]) - {f.value for f in Family}
            if unknown:
                raise ValueError(f"{path.name}:{number}: unknown families {sorted(unknown)}")
            yield Case(data["id"], data.get("description", ""), ReviewRequest.model_validate(data["request"]),
                       expected["verdict"], frozenset(expected["families"]),
                       date.fromisoformat(data["today"]) if data.get("today") else None,
                       bool(data.get("requires_shared_data")), f"{path.name}:{number}")


def run_case(case: Case, kb: KnowledgeBase | None = None) -> Outcome:
    response = review(case.request, kb=kb, today=case.today)
    families = frozenset(f.family.value for f in response.findings if f.severity != Severity.INFO)
    return Outcome(case, response.verdict.value, families)


def evaluate(directory: Path, kb: KnowledgeBase | None = None) -> Scores:
    kb = kb or get_knowledge_base()
    scores = Scores()
    for case in load_cases(directory):
        if case.requires_shared_data and kb.report.shared_data_dir is None:
            scores.skipped.append(case)
        else:
            scores.outcomes.append(run_case(case, kb))
    return scores


def _ratio(num: int, den: int) -> str:
    return f"{num / den:6.1%}" if den else "   n/a"


def print_report(scores: Scores) -> None:
    print(f"cases: {len(scores.outcomes)} evaluated, {len(scores.skipped)} skipped (need shared data)")
    print(f"{'family':<18}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>9}")
    for family, (tp, fp, fn) in scores.family_table().items():
        print(f"{family:<18}{tp:>5}{fp:>5}{fn:>5}{_ratio(tp, tp + fp):>11}{_ratio(tp, tp + fn):>9}")
    print(f"verdict accuracy: {scores.verdict_accuracy:.1%}")
    wrong = [o for o in scores.outcomes if not o.correct]
    for outcome in wrong:
        print(f"  MISMATCH {outcome.case.id} ({outcome.case.origin}): expected {outcome.case.verdict} "
              f"{sorted(outcome.case.families)}, got {outcome.verdict} {sorted(outcome.families)}")


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else Path("tests/review_cases")
    if not directory.is_dir():
        print(f"no such directory: {directory}", file=sys.stderr)
        return 2
    scores = evaluate(directory)
    print_report(scores)
    return 0 if all(o.correct for o in scores.outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
