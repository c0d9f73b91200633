"""Property: whatever the prescription, the verdict follows from the findings' severities, and every
finding carries evidence and both languages."""
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthhub.review.engine import RULES, RuleOverrides, review, verdict_of
from healthhub.review.schemas import ReviewRequest, Severity

DRUGS = ["阿莫西林", "头孢呋辛", "布洛芬", "对乙酰氨基酚", "阿司匹林", "氯吡格雷", "华法林", "二甲双胍", "氨氯地平", "缬沙坦",
         "依那普利", "阿托伐他汀", "辛伐他汀", "克拉霉素", "西地那非", "硝酸甘油", "吗啡", "左氧氟沙星", "甲氨蝶呤",
         "异维A酸", "多西环素", "Amoxicillin", "C08CA01", "阿莫西林胶囊", "未知药品甲", "伟哥"]
ROUTES = ["oral", "口服", "静脉滴注", "舌下", "外用", "皮下注射", None, "???"]
CODES = ["J02.9", "J00", "I10", "E11.9", "E78.0", "K25.7", "J45.9", "N18.5", "M54.5", "I50.0", "I20.9", "N48.4"]

items = st.fixed_dictionaries({"drug": st.sampled_from(DRUGS)}, optional={
    "dose_mg": st.floats(0.01, 5000), "times_per_day": st.sampled_from([1 / 7, 1, 2, 3, 4, 6]),
    "route": st.sampled_from(ROUTES).filter(lambda r: r is not None), "days": st.integers(1, 120)})
requests = st.builds(
    lambda patient, diagnoses, its, emergency, long_term: ReviewRequest.model_validate(
        {"patient": patient, "diagnoses": diagnoses, "items": its, "emergency": emergency, "long_term": long_term}),
    st.fixed_dictionaries({"age_years": st.floats(0, 100), "sex": st.sampled_from(["M", "F"])}, optional={
        "weight_kg": st.floats(2, 150), "pregnant": st.booleans(), "lactating": st.booleans(),
        "allergies": st.lists(st.sampled_from(["青霉素", "头孢", "磺胺", "阿司匹林", "芒果", "阿莫西林"]), max_size=2),
        "conditions": st.lists(st.sampled_from(CODES), max_size=3)}),
    st.lists(st.sampled_from(CODES), max_size=3), st.lists(items, min_size=1, max_size=7), st.booleans(), st.booleans())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests)
def test_verdict_matches_the_worst_severity(kb, request):
    response = review(request, kb=kb, today=date(2026, 11, 20))
    severities = {f.severity for f in response.findings}
    expected = ("reject" if Severity.BLOCK in severities else "review" if Severity.WARN in severities else "pass")
    assert response.verdict.value == expected == verdict_of(response.findings).value
    for finding in response.findings:
        assert RULES[finding.rule].family == finding.family
        assert finding.evidence and finding.message_zh and finding.message_en, finding.rule
    assert response.kb_version == kb.version
    assert any(f.rule == "LEGAL-UNKNOWN-DRUG" for f in response.findings) == any(
        i.drug == "未知药品甲" for i in request.items)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests, disabled=st.sets(st.sampled_from(
    [rule_id for rule_id, rule in RULES.items() if rule.floor is None]), max_size=6))
def test_disabling_rules_only_removes_their_findings(kb, request, disabled):
    today = date(2026, 11, 20)
    full = [f.rule for f in review(request, kb=kb, today=today).findings]
    reduced = [f.rule for f in review(request, kb=kb, today=today,
                                      overrides=RuleOverrides(disabled=frozenset(disabled))).findings]
    assert reduced == [rule for rule in full if rule not in disabled]
