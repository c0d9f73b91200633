"""Tenant overrides: disable or re-grade a rule, never below the law's floor; the rule catalogue."""
import pytest

from healthhub.review.engine import RULES, RuleOverrides
from healthhub.review.schemas import Family, Severity
from tests.review.engine.conftest import NO_CI_DATA, item, make_request

PAIR = [item("氯吡格雷", 75, 1), item("奥美拉唑", 20, 1)]  # curated major interaction


def test_catalogue_covers_every_family_with_descriptions():
    assert {rule.family for rule in RULES.values()} == set(Family)
    for rule_id, rule in RULES.items():
        assert rule_id.startswith(rule.family.value) and rule.description_zh and rule.description_en
        if rule.family in (Family.BANNED, Family.FORMAT):
            assert rule.floor == rule.severity


def test_disable_and_regrade_a_clinical_rule(run):
    request = make_request(PAIR, diagnoses=["I25.1", "K21.0"])
    assert run(request)[1]["DDI-MAJOR"] == "warn"
    verdict, rules, _ = run(request, RuleOverrides(disabled=frozenset({"DDI-MAJOR"})))
    assert "DDI-MAJOR" not in rules and verdict == "pass"
    verdict, rules, _ = run(request, RuleOverrides(severity={"DDI-MAJOR": "block"}))
    assert rules["DDI-MAJOR"] == "block" and verdict == "reject"
    verdict, rules, _ = run(request, RuleOverrides(severity={"DDI-MAJOR": Severity.INFO}))
    assert rules["DDI-MAJOR"] == "info" and verdict == "pass"


def test_override_replaces_a_row_severity(run):
    request = make_request([item("美托洛尔", 25, 2)], diagnoses=["I10"], conditions=["J45.9"])
    assert run(request)[1] == {"CONTRAINDICATION-CONDITION": "warn"}
    assert run(request, RuleOverrides(severity={"CONTRAINDICATION-CONDITION": "block"}))[0] == "reject"


@pytest.mark.parametrize("rule_id", ["BANNED-SPECIAL", "BANNED-ONLINE-SALE", "FORMAT-TOO-MANY-ITEMS",
                                     "FORMAT-DAYS-EXCEEDED", "LEGAL-UNKNOWN-DRUG"])
def test_legal_floor_rules_cannot_be_disabled(rule_id):
    with pytest.raises(ValueError, match="cannot be disabled"):
        RuleOverrides(disabled=frozenset({rule_id}))


@pytest.mark.parametrize(("rule_id", "severity"), [("BANNED-INJECTION", "warn"), ("FORMAT-NO-DIAGNOSIS", "info"),
                                                   ("FORMAT-TOO-MANY-ITEMS", "warn"), ("LEGAL-UNKNOWN-DRUG", "info")])
def test_legal_floor_rules_cannot_be_lowered(rule_id, severity):
    with pytest.raises(ValueError, match="cannot be set below"):
        RuleOverrides(severity={rule_id: severity})


def test_floor_rules_may_be_made_stricter(run):
    overrides = RuleOverrides(severity={"FORMAT-DAYS-EXCEEDED": "block", "LEGAL-UNKNOWN-DRUG": "block"})
    assert run(make_request([item("阿莫西林", days=10)]), overrides)[1] == {"FORMAT-DAYS-EXCEEDED": "block",
                                                                           **NO_CI_DATA}
    assert run(make_request([item("某某药")]), overrides)[0] == "reject"


def test_unknown_rule_or_severity_is_refused():
    with pytest.raises(ValueError, match="unknown rule"):
        RuleOverrides(disabled=frozenset({"DDI-NOPE"}))
    with pytest.raises(ValueError):
        RuleOverrides(severity={"DDI-MAJOR": "critical"})
