"""Pure rules: each IDT/DP rule with a passing and a failing case."""
from datetime import UTC, date, datetime, timedelta

import pytest

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


def test_licence_and_icd10_formats():
    assert rules.normalize_licence_no(" 110101200012345 ") == "110101200012345"
    with pytest.raises(RuleViolation):
        rules.normalize_licence_no("11010120001234X")
    assert rules.normalize_icd10("e11.9") == "E11.9"
    assert rules.normalize_icd10("I10") == "I10"
    for bad in ("E1", "高血压", "11.9", "E11.9.1"):
        with pytest.raises(RuleViolation):
            rules.normalize_icd10(bad)


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


def follow_up(**changes):
    base = dict(record_patient_id=7, record_sealed=False, record_visit_date=date(2026, 10, 1),
                record_diagnosis_code="I10", patient_id=7, first_visit_allowed=False)
    return rules.FollowUpFacts(**{**base, **changes})


def test_idt01_follow_up_with_an_earlier_diagnosis_passes():
    rules.check_follow_up(follow_up(), TODAY)


def test_idt01_without_an_earlier_diagnosis_is_refused_clearly():
    with pytest.raises(RuleViolation, match="仅限复诊") as caught:
        rules.check_follow_up(follow_up(record_patient_id=None, record_visit_date=None,
                                        record_diagnosis_code=None), TODAY)
    assert caught.value.code == "follow-up-required"


def test_idt14_a_department_flag_lifts_the_first_visit_ban():
    rules.check_follow_up(follow_up(record_patient_id=None, first_visit_allowed=True), TODAY)


def test_idt02_someone_elses_record_does_not_count():
    with pytest.raises(RuleViolation, match="不属于"):
        rules.check_follow_up(follow_up(record_patient_id=8), TODAY)


def test_idt03_termination_needs_a_known_reason():
    assert rules.check_termination_reason("first_visit") == "first_visit"
    with pytest.raises(RuleViolation):
        rules.check_termination_reason("doctor_tired")


def test_images_are_checked_by_magic_bytes_and_size():
    assert rules.sniff_image(b"\x89PNG\r\n\x1a\n1234") == "image/png"
    assert rules.sniff_image(b"\xff\xd8\xff\xe0abcd") == "image/jpeg"
    assert rules.sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    with pytest.raises(RuleViolation, match="PNG"):
        rules.sniff_image(b"GIF89a......")
    with pytest.raises(RuleViolation, match="5 MB"):
        rules.sniff_image(b"\x89PNG\r\n\x1a\n" + b"0" * rules.MAX_IMAGE_BYTES)


def test_stale_only_when_accepted_and_unanswered_past_the_timeout():
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    accepted = now - timedelta(minutes=16)
    assert rules.is_stale(status="in_progress", accepted_at=accepted, first_reply_at=None, now=now,
                          timeout=timedelta(minutes=15))
    assert not rules.is_stale(status="in_progress", accepted_at=accepted, first_reply_at=now, now=now,
                              timeout=timedelta(minutes=15))
    assert not rules.is_stale(status="in_progress", accepted_at=now - timedelta(minutes=5), first_reply_at=None,
                              now=now, timeout=timedelta(minutes=15))


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
