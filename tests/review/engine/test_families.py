"""One passing and one failing prescription per rule family (curated knowledge base)."""
from tests.review.engine.conftest import NO_CI_DATA, VALID_PRESCRIBER, item, make_request


def test_clean_prescription_passes_and_records_kb_version(run, kb):
    verdict, rules, response = run(make_request([item("阿莫西林")]))
    assert verdict == "pass" and rules == NO_CI_DATA
    assert response.kb_version == kb.version


def test_legal(run):
    assert run(make_request([item("阿莫西林")], prescriber={**VALID_PRESCRIBER, "qualified": False}))[1] == {
        "LEGAL-PRESCRIBER-UNQUALIFIED": "block", **NO_CI_DATA}
    verdict, rules, _ = run(make_request([item("阿莫西林")], prescriber={**VALID_PRESCRIBER, "issued_on": "2026-11-01",
                                                                       "valid_until": "2026-11-03"}))
    assert verdict == "reject" and rules == {"LEGAL-EXPIRED": "block", **NO_CI_DATA}
    assert run(make_request([item("阿莫西林")], prescriber=None))[1] == {"LEGAL-NOT-CHECKED": "info", **NO_CI_DATA}


def test_unknown_drug_is_a_loud_legal_finding_never_a_silent_pass(run):
    verdict, rules, response = run(make_request([item("神奇消炎丸")]))
    assert verdict == "review" and rules == {"LEGAL-UNKNOWN-DRUG": "warn"}
    assert "神奇消炎丸" in response.findings[0].message_zh and response.findings[0].drugs == ["神奇消炎丸"]


def test_format(run):
    many = [item(d, 5, 1, days=7) for d in ("氨氯地平", "缬沙坦", "阿托伐他汀", "氯吡格雷", "二甲双胍", "坦索罗辛")]
    verdict, rules, _ = run(make_request(many, diagnoses=["I10", "E78.0", "I25.1", "E11.9", "N40"]))
    assert verdict == "reject" and rules["FORMAT-TOO-MANY-ITEMS"] == "block"
    assert run(make_request([item("阿莫西林", days=10)]))[1] == {"FORMAT-DAYS-EXCEEDED": "warn", **NO_CI_DATA}
    assert run(make_request([item("阿莫西林", days=10)], reason_for_extended_days="偏远地区复诊不便"))[0] == "pass"
    assert run(make_request([item("阿莫西林", route=None)]))[1] == {"FORMAT-MISSING-FIELD": "warn", **NO_CI_DATA}
    assert run(make_request([item("阿莫西林")], diagnoses=[]))[1] == {"FORMAT-NO-DIAGNOSIS": "warn"}
    assert run(make_request([item("伟哥", 50, 1, days=1)], sex="M", diagnoses=["N48.4"]))[1] == {
        "FORMAT-GENERIC-NAME": "warn"}  # sildenafil has condition data (hypotension, recent infarction)
    assert run(make_request([item("阿莫西林", days=28)], long_term=True))[1] == {"FORMAT-LONG-TERM-EXCLUDED": "block",
                                                                              **NO_CI_DATA}
    assert run(make_request([item("氨氯地平", 5, 1, days=28)], diagnoses=["I10"], long_term=True))[0] == "pass"


def test_banned(run):
    rules = run(make_request([item("吗啡", 10, 4, days=2)], diagnoses=["C34.9"]))[1]
    assert rules == {"BANNED-SPECIAL": "block", "DOSE-NOT-CHECKED": "info", **NO_CI_DATA}  # no curated morphine limit
    assert run(make_request([item("华法林", 3, 1)], diagnoses=["I48.9"]))[1] == {"BANNED-ONLINE-SALE": "block"}
    rules = run(make_request([item("头孢曲松", 1000, 1, route="静脉滴注")], diagnoses=["J18.9"]))[1]
    assert rules["BANNED-INJECTION"] == "block"
    assert run(make_request([item("甘精胰岛素", 0.7, 1, route="皮下注射")], diagnoses=["E11.9"]))[0] == "pass"


def test_ddi_severity_mapping(run):
    verdict, rules, response = run(make_request([item("西地那非", 50, 1, days=1), item("硝酸甘油", 0.5, 1, route="舌下")],
                                                sex="M", diagnoses=["N48.4", "I20.9"]))
    assert verdict == "reject" and rules["DDI-CONTRAINDICATED"] == "block"
    finding = next(f for f in response.findings if f.rule == "DDI-CONTRAINDICATED")
    assert finding.drugs == ["西地那非", "硝酸甘油"] and "FDA" in finding.evidence["source"]
    rules = run(make_request([item("氯吡格雷", 75, 1), item("奥美拉唑", 20, 1)], diagnoses=["I25.1", "K21.0"]))[1]
    assert rules["DDI-MAJOR"] == "warn"
    # without DDInter, a pair the curated tables do not list is "not checked", never silently fine
    rules = run(make_request([item("氨氯地平", 5, 1), item("缬沙坦", 80, 1)], diagnoses=["I10"]))[1]
    assert rules == {"DDI-NOT-CHECKED": "info", **NO_CI_DATA}  # amlodipine has no condition data


def test_duplicate(run):
    rules = run(make_request([item("氨氯地平", 5, 1), item("硝苯地平", 10, 3)], diagnoses=["I10"]))[1]
    assert rules["DUPLICATE-ATC-CLASS"] == "warn"
    rules = run(make_request([item("依那普利", 10, 1), item("缬沙坦", 80, 1)], diagnoses=["I10"]))[1]
    assert rules["DUPLICATE-NAMED-CLASS"] == "warn"
    rules = run(make_request([item("阿司匹林", 100, 1), item("氯吡格雷", 75, 1)], diagnoses=["I25.1"]))[1]
    assert not any(rule.startswith("DUPLICATE") for rule in rules)  # dual antiplatelet therapy is exempt


def test_dose(run):
    assert run(make_request([item("阿莫西林", 1500, 2)]))[1] == {"DOSE-SINGLE-MAX": "warn", **NO_CI_DATA}
    assert run(make_request([item("阿莫西林", 3000, 3)]))[1] == {"DOSE-GROSS-OVERDOSE": "block", **NO_CI_DATA}
    child = make_request([item("对乙酰氨基酚", 200, 4, days=3)], age=5, weight=20, diagnoses=["R50.9"])
    assert run(child)[0] == "pass"
    overdose = make_request([item("对乙酰氨基酚", 500, 4, days=3)], age=5, weight=20, diagnoses=["R50.9"])
    assert run(overdose)[1] == {"DOSE-SINGLE-MAX": "warn", "DOSE-DAILY-MAX": "warn", **NO_CI_DATA}
    assert run(make_request([item("胰岛素", 0.3, 3, route="口服")], diagnoses=["E11.9"]))[1] == {
        "DOSE-ROUTE-MISMATCH": "warn", "DOSE-NOT-CHECKED": "info", **NO_CI_DATA}  # insulin: units, no mg limit


def test_allergy(run):
    assert run(make_request([item("阿莫西林")], allergies=["青霉素"]))[1] == {"ALLERGY-CLASS": "block", **NO_CI_DATA}
    assert run(make_request([item("头孢呋辛", 250, 2)], allergies=["青霉素"], diagnoses=["J01.9"]))[1] == {
        "ALLERGY-CROSS": "warn", **NO_CI_DATA}
    assert run(make_request([item("阿莫西林")], allergies=["阿莫西林"]))[1] == {"ALLERGY-DRUG": "block", **NO_CI_DATA}
    assert run(make_request([item("阿奇霉素", 500, 1, days=3)], allergies=["青霉素"]))[0] == "pass"
    assert run(make_request([item("阿莫西林")], allergies=["芒果"]))[1] == {"ALLERGY-NOT-CHECKED": "info", **NO_CI_DATA}


def test_pregnancy_and_lactation(run):
    assert run(make_request([item("阿托伐他汀", 20, 1)], diagnoses=["E78.0"], pregnant=True))[1] == {
        "PREGNANCY-CONTRAINDICATED": "block"}
    assert run(make_request([item("阿莫西林")], pregnant=True))[0] == "pass"
    assert run(make_request([item("奥美拉唑", 20, 1)], diagnoses=["K21.0"], pregnant=True))[1] == {
        "PREGNANCY-NOT-CHECKED": "info", **NO_CI_DATA}
    assert run(make_request([item("甲硝唑", 400, 2)], diagnoses=["N76.0"], lactating=True))[1] == {
        "LACTATION-CAUTION": "warn", **NO_CI_DATA}
    assert run(make_request([item("布洛芬", 400, 3)], diagnoses=["M54.5"], lactating=True))[0] == "pass"


def test_age(run):
    rules = run(make_request([item("左氧氟沙星", 500, 1)], age=15, weight=55, diagnoses=["J18.9"]))[1]
    assert rules["AGE-PAEDIATRIC"] == "block"
    assert run(make_request([item("左氧氟沙星", 500, 1)], age=30, diagnoses=["J18.9"]))[0] == "pass"
    assert run(make_request([item("格列本脲", 2.5, 2)], age=72, diagnoses=["E11.9"]))[1] == {"AGE-ELDERLY": "warn"}


def test_contraindication(run):
    assert run(make_request([item("布洛芬", 400, 3)], diagnoses=["M54.5"], conditions=["K25.7"]))[1] == {
        "CONTRAINDICATION-CONDITION": "block"}
    assert run(make_request([item("美托洛尔", 25, 2)], diagnoses=["I10"], conditions=["J45.9"]))[1] == {
        "CONTRAINDICATION-CONDITION": "warn"}
    assert run(make_request([item("对乙酰氨基酚", 500, 3)], diagnoses=["M54.5"], conditions=["K25.7"]))[0] == "pass"


def test_indication(run):
    assert run(make_request([item("阿莫西林")], diagnoses=["J00"]))[1] == {"INDICATION-MISMATCH": "warn", **NO_CI_DATA}
    assert run(make_request([item("氨氯地平", 5, 1)], diagnoses=["J02.9"], conditions=["I10"]))[0] == "pass"


def test_every_finding_carries_bilingual_messages(run):
    _, _, response = run(make_request([item("阿莫西林", 3000, 3), item("吗啡", 10, 4)], allergies=["青霉素"],
                                      pregnant=True, diagnoses=["J00"]))
    assert response.findings
    for finding in response.findings:
        assert finding.message_zh and finding.message_en and finding.family.value in finding.rule
