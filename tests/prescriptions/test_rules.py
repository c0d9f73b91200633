"""Every prescription rule with a passing and a failing case (pure, no database)."""
from dataclasses import replace
from decimal import Decimal

import pytest

from healthhub.prescriptions import rules
from healthhub.prescriptions.rules import DrugInfo, PatientFacts, PrescriberFacts, RxDraft, RxLine

AMLODIPINE = DrugInfo("amlodipine", "氨氯地平")
AMOXICILLIN = DrugInfo("amoxicillin", "阿莫西林", antimicrobial=True)
INSULIN = DrugInfo("insulin glargine", "甘精胰岛素", cold_chain=True)
MORPHINE = DrugInfo("morphine", "吗啡", special_class="narcotic")


def line(drug=AMLODIPINE, **changes) -> RxLine:
    base = RxLine(name=drug.name_zh if drug else "神仙水", drug=drug, dose=Decimal("5"), unit="mg", frequency="qd",
                  route="口服", days=7, quantity=1)
    return replace(base, **changes)


def draft(*lines: RxLine, **changes) -> RxDraft:
    return replace(RxDraft(lines=lines or (line(),), diagnoses=("I10",)), **changes)


def rule_ids(errors) -> set[str]:
    return {e.rule for e in errors}


def test_a_plain_prescription_passes_every_content_rule():
    assert rules.check_draft(draft()) == []


@pytest.mark.parametrize("days, ok", [(0, True), (3, True), (4, False), (-1, False)])
def test_rx01_validity_at_most_three_days_after_issue(days, ok):
    assert (rules.rx01_validity(draft(validity_days=days)) == []) is ok


def test_rx02_seven_days_normal_and_eight_needs_a_reason():
    assert rules.rx02_supply_days(draft(line(days=7))) == []
    errors = rules.rx02_supply_days(draft(line(days=8)))
    assert rule_ids(errors) == {"RX-02"} and "理由" in errors[0].message
    assert rules.rx02_supply_days(draft(line(days=14), extended_reason="高血压病情稳定，行动不便")) == []


def test_rx02_emergency_limit_is_three_days():
    assert rules.rx02_supply_days(draft(line(days=3), emergency=True)) == []
    assert rule_ids(rules.rx02_supply_days(draft(line(days=4), emergency=True))) == {"RX-02"}


def test_rx02_beyond_four_weeks_needs_a_long_term_prescription_even_with_a_reason():
    errors = rules.rx02_supply_days(draft(line(days=30), extended_reason="慢性病长期用药"))
    assert rule_ids(errors) == {"RX-02"} and "长期处方" in errors[0].message


def test_rx03_at_most_five_drugs_one_line_each():
    five = tuple(line(DrugInfo(f"d{i}", f"药{i}")) for i in range(5))
    assert rules.rx03_item_count(draft(*five)) == []
    six = (*five, line(DrugInfo("d6", "药6")))
    assert rule_ids(rules.rx03_item_count(draft(*six))) == {"RX-03"}
    assert rule_ids(rules.rx03_item_count(draft(line(), line()))) == {"RX-03"}
    assert rule_ids(rules.rx03_item_count(RxDraft(lines=(), diagnoses=("I10",)))) == {"RX-03"}


def test_rx04_diagnosis_and_explicit_directions_required():
    assert rules.rx04_writing(draft()) == []
    assert rule_ids(rules.rx04_writing(draft(diagnoses=()))) == {"RX-04"}
    vague = rules.rx04_writing(draft(line(frequency="遵医嘱")))
    assert rule_ids(vague) == {"RX-04"} and vague[0].field == "items[0].frequency"
    assert rule_ids(rules.rx04_writing(draft(line(route="随便")))) == {"RX-04"}
    assert rule_ids(rules.rx04_writing(draft(line(dose=Decimal(0))))) == {"RX-04"}


def test_rx05_only_generic_names_known_to_the_knowledge_base():
    assert rules.rx05_generic_names(draft()) == []
    assert rule_ids(rules.rx05_generic_names(draft(line(None)))) == {"RX-05"}


def test_rx09_long_term_up_to_twelve_weeks_with_assessment():
    ok = draft(line(days=84), long_term=True, extended_reason="血压控制稳定，依从性好",
               patient_confirmed_long_term=True)
    assert rules.check_draft(ok) == []
    assert rule_ids(rules.rx09_long_term(replace(ok, lines=(line(days=85),)))) == {"RX-09"}
    assert rule_ids(rules.rx09_long_term(replace(ok, extended_reason=None))) == {"RX-09"}
    assert rule_ids(rules.rx09_long_term(replace(ok, patient_confirmed_long_term=False))) == {"RX-09"}
    assert rule_ids(rules.rx09_long_term(replace(ok, emergency=True))) == {"RX-09"}


@pytest.mark.parametrize("drug", [AMOXICILLIN, INSULIN, DrugInfo("diazepam", "地西泮", special_class="psychotropic_2")])
def test_rx09_excludes_antimicrobials_special_storage_and_controlled_drugs(drug):
    long_term = draft(line(drug, days=28), long_term=True, extended_reason="病情稳定，方案明确")
    assert rule_ids(rules.rx09_long_term(long_term)) == {"RX-09"}


def test_idt09_never_special_management_drugs():
    assert rules.idt09_special_management(draft()) == []
    errors = rules.idt09_special_management(draft(line(MORPHINE)))
    assert rule_ids(errors) == {"IDT-09"} and "吗啡" in errors[0].message


def test_idt10_under_six_needs_the_confirmations():
    assert rules.idt10_under_six(PatientFacts(age_years=6.0, under6_confirmed=False)) == []
    assert rules.idt10_under_six(PatientFacts(age_years=2.5, under6_confirmed=True)) == []
    assert rule_ids(rules.idt10_under_six(PatientFacts(age_years=2.5, under6_confirmed=False))) == {"IDT-10"}


@pytest.mark.parametrize("facts, ok", [
    (PrescriberFacts("doctor", False, True, True), True),
    (PrescriberFacts("doctor", True, True, True), False),  # an AI assistant acting as the system
    (PrescriberFacts("pharmacist", False, True, True), False),
    (PrescriberFacts("doctor", False, False, True), False),  # not this consultation's doctor
    (PrescriberFacts("doctor", False, True, False), False),  # consultation not in progress
])
def test_idt07_only_the_treating_doctor_prescribes(facts, ok):
    errors = rules.idt07_prescriber(facts)
    assert (errors == []) is ok
    assert ok or rule_ids(errors) == {"IDT-07"}
