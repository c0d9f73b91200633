"""What the engine cannot check is said, never silent: a child's dose without a weight (RX-04), drugs
without age or condition knowledge, DDInter pairs without a mechanism. At most one such finding per
drug and family."""
from collections import Counter
from datetime import date

import pytest

from healthhub.knowledge.builder import build_knowledge_base
from healthhub.review.engine import RuleOverrides, review
from tests.review.engine.conftest import NO_CI_DATA, item, make_request


def _finding(response, rule):
    return next(f for f in response.findings if f.rule == rule)


def test_an_infant_without_weight_is_not_passed_on_a_mg_per_kg_limit(run):
    # The audit's case: six months old, adult paracetamol dose, no weight. The band is mg/kg only.
    verdict, rules, response = run(make_request([item("对乙酰氨基酚", 500, 4, days=3)], age=0.5, weight=None,
                                                diagnoses=["R50.9"]))
    assert verdict == "review" and rules == {"DOSE-WEIGHT-MISSING": "warn", **NO_CI_DATA}
    finding = _finding(response, "DOSE-WEIGHT-MISSING")
    assert finding.family == "DOSE" and finding.drugs == ["对乙酰氨基酚"]
    assert "体重" in finding.message_zh and "weight" in finding.message_en
    assert finding.evidence["weight_kg"] is None and finding.evidence["age_years"] == 0.5
    assert finding.evidence["limit"]["max_single_mg_per_kg"] == 15
    assert "对乙酰氨基酚" in finding.evidence["limit"]["source"]
    # with the weight the same prescription is a gross overdose (500 mg against 15 mg/kg x 7.5 kg)
    verdict, rules, _ = run(make_request([item("对乙酰氨基酚", 500, 4, days=3)], age=0.5, weight=7.5,
                                         diagnoses=["R50.9"]))
    assert verdict == "reject" and rules["DOSE-GROSS-OVERDOSE"] == "block" and "DOSE-WEIGHT-MISSING" not in rules
    assert run(make_request([item("对乙酰氨基酚", 100, 4, days=3)], age=0.5, weight=7.5, diagnoses=["R50.9"]))[0] == \
        "pass"


def test_a_child_under_twelve_needs_a_weight_even_where_an_absolute_maximum_exists(run):
    # amlodipine 6-18 y has a fixed 5 mg maximum: still compared, but a 10-year-old is dosed by weight
    verdict, rules, _ = run(make_request([item("氨氯地平", 5, 1, days=7)], age=10, weight=None, diagnoses=["I10"]))
    assert verdict == "review" and rules["DOSE-WEIGHT-MISSING"] == "warn"
    verdict, rules, _ = run(make_request([item("氨氯地平", 20, 1, days=7)], age=10, weight=None, diagnoses=["I10"]))
    assert verdict == "reject" and {rules["DOSE-WEIGHT-MISSING"], rules["DOSE-GROSS-OVERDOSE"]} == {"warn", "block"}


def test_adolescents_and_adults_need_a_weight_only_for_mg_per_kg_limits(run):
    assert run(make_request([item("阿莫西林", 500, 3)], age=14, weight=None))[0] == "pass"  # adult band from 12
    verdict, rules, response = run(make_request([item("丙戊酸钠", 500, 2, days=7)], age=30, weight=None,
                                                diagnoses=["G40.9"]))
    assert verdict == "review" and rules["DOSE-WEIGHT-MISSING"] == "warn"  # valproate: 60 mg/kg/day only
    assert _finding(response, "DOSE-WEIGHT-MISSING").evidence["limit"]["max_daily_mg_per_kg"] == 60


def test_weight_missing_is_a_legal_floor_a_tenant_cannot_silence():
    with pytest.raises(ValueError, match="cannot be disabled"):
        RuleOverrides(disabled=frozenset({"DOSE-WEIGHT-MISSING"}))
    with pytest.raises(ValueError, match="cannot be set below"):
        RuleOverrides(severity={"AGE-PAEDIATRIC-NO-DATA": "info"})


def test_a_young_child_given_a_drug_without_paediatric_knowledge_goes_to_a_pharmacist(run):
    # atorvastatin has an adult dose band only and no age fact: nothing the engine knows covers an infant
    verdict, rules, response = run(make_request([item("阿托伐他汀", 10, 1, days=7)], age=0.5, weight=7.5,
                                                diagnoses=["E78.0"]))
    assert verdict == "review" and rules["AGE-PAEDIATRIC-NO-DATA"] == "warn"
    finding = _finding(response, "AGE-PAEDIATRIC-NO-DATA")
    assert finding.family == "AGE" and finding.evidence["dose_bands"] == ["18+ y oral"]
    assert finding.evidence["paediatric_age_facts"] == 0 and finding.message_zh and finding.message_en
    # a 15-year-old: not checked, said as info (adult labels start at 12 for most drugs)
    verdict, rules, response = run(make_request([item("阿托伐他汀", 10, 1, days=7)], age=15, weight=55,
                                                diagnoses=["E78.0"]))
    assert verdict == "pass" and rules["AGE-NOT-CHECKED"] == "info"


def test_paediatric_knowledge_is_a_dose_band_for_the_age_or_an_age_fact(run):
    for drug, dose, times, age, weight in (("阿莫西林", 250, 3, 5, 18), ("多西环素", 50, 2, 10, 32),
                                           ("对乙酰氨基酚", 150, 4, 3, 14)):
        rules = run(make_request([item(drug, dose, times, days=5)], age=age, weight=weight,
                                 diagnoses=["J02.9", "R50.9", "J18.9"]))[1]
        assert not any(rule.startswith("AGE") for rule in rules), (drug, rules)
    # amlodipine is dosed from 6 years: a 5-year-old is outside every band
    rules = run(make_request([item("氨氯地平", 2.5, 1, days=7)], age=5, weight=18, diagnoses=["I10"]))[1]
    assert rules["AGE-PAEDIATRIC-NO-DATA"] == "warn"


def test_older_adults_without_elderly_facts_are_not_checked(run):
    verdict, rules, response = run(make_request([item("氨氯地平", 5, 1, days=7)], age=72, diagnoses=["I10"]))
    assert verdict == "pass" and rules["AGE-NOT-CHECKED"] == "info"
    assert _finding(response, "AGE-NOT-CHECKED").evidence["population"] == "elderly"
    rules = run(make_request([item("格列本脲", 2.5, 2)], age=72, diagnoses=["E11.9"]))[1]
    assert rules == {"AGE-ELDERLY": "warn"}  # an elderly fact exists: checked
    assert "AGE-NOT-CHECKED" not in run(make_request([item("氨氯地平", 5, 1)], age=40, diagnoses=["I10"]))[1]


def test_a_drug_without_condition_facts_is_not_checked_against_the_patients_conditions(run):
    _, rules, response = run(make_request([item("阿莫西林")], diagnoses=["J02.9"], conditions=["I10"]))
    assert rules == NO_CI_DATA
    assert _finding(response, "CONTRAINDICATION-NOT-CHECKED").evidence["icd10"] == ["J02.9", "I10"]
    # a drug with condition facts that match nothing was checked: silence
    assert "CONTRAINDICATION-NOT-CHECKED" not in run(make_request([item("布洛芬", 400, 3)], diagnoses=["M54.5"]))[1]
    # no diagnosis and no condition: nothing to check against (FORMAT-NO-DIAGNOSIS says what is missing)
    assert run(make_request([item("阿莫西林")], diagnoses=[]))[1] == {"FORMAT-NO-DIAGNOSIS": "warn"}


def test_at_most_one_not_checked_finding_per_drug_and_family(run):
    items = [item("阿托伐他汀", 10, 1), item("氨氯地平", 2.5, 1), item("对乙酰氨基酚", 500, 4, days=3),
             item("丙戊酸钠", 100, 2)]
    _, _, response = run(make_request(items, age=4, weight=None, diagnoses=["E78.0", "I10", "R50.9", "G40.9"],
                                      conditions=["J45.9"]))
    unchecked = Counter((f.family.value, tuple(f.drugs)) for f in response.findings
                        if f.rule.endswith(("-NOT-CHECKED", "-NO-DATA", "-WEIGHT-MISSING")))
    assert unchecked and max(unchecked.values()) == 1
    assert sum(1 for family, _drugs in unchecked if family == "DOSE") == 4  # every drug: weight missing


def test_a_ddinter_pair_says_its_source_gives_no_mechanism(tmp_path):
    (tmp_path / "ddinter").mkdir()
    (tmp_path / "ddinter" / "ddinter_downloads_code_C.csv").write_text(
        "DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level\nDDInter1,Amlodipine,DDInter2,Simvastatin,Major\n",
        encoding="utf-8")
    kb = build_knowledge_base(tmp_path)
    request = make_request([item("氨氯地平", 5, 1), item("辛伐他汀", 20, 1)], diagnoses=["I10", "E78.0"])
    finding = next(f for f in review(request, kb=kb, today=date(2026, 11, 20)).findings if f.rule == "DDI-MAJOR")
    assert "未提供机制" in finding.message_zh and "DDInter" in finding.message_zh
    assert "mechanism not given by the source (DDInter" in finding.message_en
    assert finding.evidence == {"severity": "major", "mechanism": None, "source": "DDInter 1.0 (CC BY-NC-SA 4.0)"}
    assert kb.interaction(kb.resolve("氨氯地平").key, kb.resolve("辛伐他汀").key).mechanism_en == ""  # not invented


def test_a_curated_pair_keeps_its_mechanism(run):
    _, _, response = run(make_request([item("西地那非", 50, 1, days=1), item("硝酸甘油", 0.5, 1, route="舌下")],
                                      sex="M", diagnoses=["N48.4", "I20.9"]))
    finding = _finding(response, "DDI-CONTRAINDICATED")
    assert "低血压" in finding.message_zh and "hypotension" in finding.message_en
    assert "未提供" not in finding.message_zh and finding.evidence["mechanism"]
