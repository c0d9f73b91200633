"""Pure rules of the patient registry: each IDT/DP rule with a passing and a failing case."""
from datetime import date

import pytest

from healthhub.core.icd10 import normalize_icd10
from healthhub.core.errors import RuleViolation
from healthhub.patients import rules

TODAY = date(2026, 11, 23)


def test_icd10_format():
    assert normalize_icd10("e11.9") == "E11.9"
    assert normalize_icd10("I10") == "I10"
    for bad in ("E1", "高血压", "11.9", "E11.9.1"):
        with pytest.raises(RuleViolation):
            normalize_icd10(bad)


def test_age_is_fractional_for_infants_and_text_uses_months_and_days():
    assert rules.age_years(date(2026, 8, 23), TODAY) == pytest.approx(0.25, abs=0.01)
    assert rules.age_text(date(2026, 8, 23), TODAY) == "3个月"
    assert rules.age_text(date(2026, 11, 13), TODAY) == "10天"
    assert rules.age_text(date(2025, 7, 23), TODAY) == "1岁4个月"
    assert rules.age_text(date(1980, 1, 1), TODAY) == "46岁"


def test_idt10_under6_is_calendar_exact():
    assert rules.is_under(date(2020, 11, 24), 6, TODAY)
    assert not rules.is_under(date(2020, 11, 23), 6, TODAY)


def test_dp02_guardian_consents_for_minors_the_person_for_self():
    assert rules.consent_role("子女", date(2015, 1, 1), TODAY) == "guardian"
    assert rules.consent_role("本人", date(1990, 1, 1), TODAY) == "self"
    assert rules.consent_role("父母", date(1950, 1, 1), TODAY) == "authorised"


def test_minor_needs_a_named_guardian():
    rules.check_guardian("子女", date(2022, 1, 1), "母亲", TODAY)
    with pytest.raises(RuleViolation, match="监护人"):
        rules.check_guardian("子女", date(2022, 1, 1), None, TODAY)
    with pytest.raises(RuleViolation):
        rules.check_guardian("本人", date(2012, 1, 1), None, TODAY)
