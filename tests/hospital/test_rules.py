"""Pure rules: each IDT/DP rule with a passing and a failing case."""
from datetime import UTC, date, datetime, timedelta

import pytest

from healthhub.core.dates import full_years
from healthhub.core.errors import RuleViolation
from healthhub.hospital import rules
from healthhub.hospital.service_metrics import ConsultationTimes, summarise
from healthhub.hospital.triage import suggest_department

TODAY = date(2026, 11, 23)


def facts(**changes):
    base = dict(licence_no="110101200012345", practice_started_on=date(2020, 1, 1), institution_consent=True,
                affiliation="own", multi_site_filed=False)
    return rules.DoctorFacts(**{**base, **changes})


def test_idt04_three_years_of_practice_make_a_doctor_eligible():
    assert rules.doctor_eligibility(facts(practice_started_on=date(2023, 11, 23)), TODAY).ok


def test_idt04_less_than_three_years_is_refused_with_a_reason():
    verdict = rules.doctor_eligibility(facts(practice_started_on=date(2023, 11, 24)), TODAY)
    assert not verdict.ok and "不足 3 年" in verdict.reason and "IDT-04" in verdict.reason


def test_idt04_partner_doctor_needs_multi_site_filing_and_institution_consent():
    assert rules.doctor_eligibility(facts(affiliation="partner", multi_site_filed=True), TODAY).ok
    verdict = rules.doctor_eligibility(facts(affiliation="partner", institution_consent=False), TODAY)
    assert len(verdict.reasons) == 2 and "多点执业" in verdict.reason


def test_licence_format():
    assert rules.normalize_licence_no(" 110101200012345 ") == "110101200012345"
    with pytest.raises(RuleViolation):
        rules.normalize_licence_no("11010120001234X")


def follow_up(**changes):
    base = dict(record_patient_id=7, record_sealed=False, record_visit_date=date(2026, 10, 1),
                record_diagnosis_code="I10", patient_id=7, first_visit_allowed=False, family_contract=False)
    return rules.FollowUpFacts(**{**base, **changes})


NO_RECORD = dict(record_patient_id=None, record_visit_date=None, record_diagnosis_code=None)


def test_idt01_follow_up_with_an_earlier_diagnosis_passes():
    assert rules.check_follow_up(follow_up(), TODAY) == "record"
    # an attached record is checked as usual even when a contract would have sufficed
    assert rules.check_follow_up(follow_up(family_contract=True), TODAY) == "record"
    with pytest.raises(RuleViolation, match="不属于"):
        rules.check_follow_up(follow_up(record_patient_id=8, family_contract=True), TODAY)


def test_idt01_without_an_earlier_diagnosis_is_refused_clearly():
    with pytest.raises(RuleViolation, match="仅限复诊") as caught:
        rules.check_follow_up(follow_up(record_patient_id=None, record_visit_date=None,
                                        record_diagnosis_code=None), TODAY)
    assert caught.value.code == "follow-up-required"


def test_idt14_a_department_flag_lifts_the_first_visit_ban():
    assert rules.check_follow_up(follow_up(**NO_RECORD, first_visit_allowed=True), TODAY) == "first_visit_pilot"


def test_idt01_an_active_family_doctor_contract_stands_in_for_the_earlier_diagnosis():
    assert rules.check_follow_up(follow_up(**NO_RECORD, family_contract=True), TODAY) == "family_contract"
    assert "家庭医生" in rules.FOLLOW_UP_BASES["family_contract"]


def test_idt01_without_a_record_or_a_contract_is_still_refused():
    with pytest.raises(RuleViolation) as caught:
        rules.check_follow_up(follow_up(**NO_RECORD, family_contract=False), TODAY)
    assert caught.value.code == "follow-up-required"


def test_idt02_someone_elses_record_does_not_count():
    with pytest.raises(RuleViolation, match="不属于"):
        rules.check_follow_up(follow_up(record_patient_id=8), TODAY)


def test_idt03_termination_needs_a_known_reason():
    assert rules.check_termination_reason("first_visit") == "first_visit"
    with pytest.raises(RuleViolation):
        rules.check_termination_reason("doctor_tired")


NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
TIMEOUT = timedelta(minutes=15)


def waiting(**changes):
    base = dict(status="waiting", accepted_at=None, first_reply_at=None, waiting_since=NOW - timedelta(minutes=5),
                escalated=False)
    return rules.WaitFacts(**{**base, **changes})


def test_accepted_and_unanswered_past_the_timeout_goes_back_to_the_queue():
    late = NOW - timedelta(minutes=16)
    assert rules.stale_action(waiting(status="in_progress", accepted_at=late), NOW, TIMEOUT) == "return"
    assert rules.stale_action(waiting(status="in_progress", accepted_at=late, first_reply_at=NOW), NOW, TIMEOUT) is None
    assert rules.stale_action(waiting(status="in_progress", accepted_at=NOW - timedelta(minutes=5)), NOW,
                              TIMEOUT) is None


def test_waiting_unaccepted_past_the_timeout_is_escalated_once():
    assert rules.stale_action(waiting(waiting_since=NOW - TIMEOUT), NOW, TIMEOUT) == "escalate"
    assert rules.stale_action(waiting(), NOW, TIMEOUT) is None
    assert rules.stale_action(waiting(waiting_since=NOW - timedelta(hours=2), escalated=True), NOW, TIMEOUT) is None
    assert rules.stale_action(waiting(status="completed", waiting_since=NOW - timedelta(hours=2)), NOW,
                              TIMEOUT) is None


def pool(**changes):
    return rules.PoolFacts(**{**dict(in_department=False, same_centre=True, escalated=False, excluded=False),
                              **changes})


def test_a_request_is_offered_to_its_department_first_then_the_centre():
    assert rules.offered_to(pool(in_department=True))
    assert not rules.offered_to(pool())
    assert rules.offered_to(pool(escalated=True))
    assert not rules.offered_to(pool(same_centre=False, escalated=True))
    assert not rules.offered_to(pool(in_department=True, escalated=True, excluded=True))


def accept_facts(**pool_changes):
    return rules.AcceptFacts(eligibility=rules.Eligibility(ok=True), online=True, work_session_valid=True,
                             pool=pool(**pool_changes))


@pytest.mark.parametrize(("changes", "code"), [
    ({"excluded": True, "in_department": True}, "reassigned-away"),
    ({}, "department-first"),
    ({"same_centre": False, "escalated": True}, "wrong-centre"),
])
def test_accepting_outside_the_pool_is_refused_with_a_reason(changes, code):
    with pytest.raises(RuleViolation) as caught:
        rules.check_can_work(accept_facts(**changes))
    assert caught.value.code == code


def test_idt05_an_expired_work_session_refuses_work():
    rules.check_can_work(accept_facts(in_department=True))
    facts = rules.AcceptFacts(eligibility=rules.Eligibility(ok=True), online=True, work_session_valid=False,
                              pool=pool(in_department=True))
    with pytest.raises(RuleViolation) as caught:
        rules.check_can_work(facts)
    assert caught.value.code == "reauth-required"


def test_idt04_practice_bound_for_queries_matches_full_years():
    for today in (date(2026, 11, 23), date(2027, 2, 28), date(2028, 2, 29), date(2027, 3, 1)):
        bound = rules.latest_practice_start(today)
        assert full_years(bound, today) >= rules.MIN_PRACTICE_YEARS
        assert full_years(bound + timedelta(days=1), today) < rules.MIN_PRACTICE_YEARS


def test_triage_suggests_departments_from_keywords():
    ranked = suggest_department("最近一直咳嗽，有痰，晚上胸闷")
    assert ranked[0][0] == "呼吸内科" and abs(sum(s for _, s in ranked) - 1) < 0.01
    assert suggest_department("宝宝咳嗽两天")[0][0] == "小儿呼吸系统疾病"
    assert suggest_department("   ") == []


def test_metrics_summary():
    t0 = datetime(2026, 11, 22, 2, tzinfo=UTC)
    rows = [ConsultationTimes(t0, t0 + timedelta(minutes=1), t0 + timedelta(minutes=2), t0 + timedelta(minutes=11),
                              "completed"),
            ConsultationTimes(t0 + timedelta(days=1), None, None, None, "waiting")]
    metrics = summarise(rows)
    assert metrics.total == 2 and metrics.completed == 1
    assert metrics.median_first_reply_s == 120.0 and metrics.mean_duration_s == 600.0
    assert [n for _, n in metrics.per_day] == [1, 1]
