"""The labelled evaluation set (tests/review_cases/): every case's verdict and families."""
from pathlib import Path

import pytest

from healthhub.knowledge.service import get_knowledge_base
from healthhub.review.engine import review
from healthhub.review.evaluation import evaluate, load_cases, run_case
from healthhub.review.schemas import Family

CASES_DIR = Path(__file__).resolve().parents[2] / "review_cases"
CASES = list(load_cases(CASES_DIR))


def test_the_set_is_large_and_covers_every_family_both_ways():
    assert len(CASES) >= 150
    assert len({case.id for case in CASES}) == len(CASES)
    for family in Family:
        assert any(family.value in case.families for case in CASES), family
    assert sum(1 for case in CASES if case.verdict == "pass") >= 30
    assert {case.verdict for case in CASES} == {"pass", "review", "reject"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case):
    kb = get_knowledge_base()
    if case.requires_shared_data and kb.report.shared_data_dir is None:
        pytest.skip("expectation rests on the shared data sets (DDInter, products)")
    outcome = run_case(case, kb)
    assert (outcome.verdict, sorted(outcome.families)) == (case.verdict, sorted(case.families)), case.description


def test_evaluation_scores_report_precision_and_recall():
    scores = evaluate(CASES_DIR)
    table = scores.family_table()
    assert set(table) == {f.value for f in Family}
    assert scores.verdict_accuracy == 1.0
    assert all(fp == 0 and fn == 0 for _tp, fp, fn in table.values())


def test_every_finding_of_the_set_rests_on_evidence_and_speaks_both_languages():
    """A pharmacist must see what each finding rests on: the request fact, KB row or rule parameter."""
    kb = get_knowledge_base()
    findings = [f for case in CASES for f in review(case.request, kb=kb, today=case.today).findings]
    assert len(findings) > len(CASES)
    rules_seen = set()
    for finding in findings:
        assert isinstance(finding.evidence, dict) and finding.evidence, finding.rule
        assert finding.message_zh.strip() and finding.message_en.strip(), finding.rule
        assert finding.message_zh != finding.message_en
        rules_seen.add(finding.rule)
    assert {"DOSE-WEIGHT-MISSING", "AGE-PAEDIATRIC-NO-DATA", "AGE-NOT-CHECKED",
            "CONTRAINDICATION-NOT-CHECKED"} <= rules_seen
