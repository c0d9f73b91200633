"""Two people in two browser contexts: the patient starts a follow-up consultation, the demo doctor
accepts, both chat, the doctor diagnoses, prescribes on the prescribe page and signs, and the patient
sees the prescription waiting for pharmacist review (待药师审核). Only the account set-up (a new
family member with consent and an earlier diagnosis) goes through the JSON API."""
from datetime import date

import pytest

from tests.browser.conftest import login, screenshot
from tests.browser.consult_flow import diagnose, family_member_with_record, start_and_chat

pytestmark = pytest.mark.browser


def test_doctor_prescribes_and_patient_sees_it_waiting_for_review(new_page):
    patient, doctor = new_page(), new_page()
    login(patient, "demo_patient")
    login(doctor, "demo_doctor")
    member = family_member_with_record(patient, relationship="配偶", name="林晓燕", birth=date(1979, 4, 2), female=True,
                                       visit_date="2026-10-08", diagnosis_code="I10", diagnosis_text="原发性高血压")

    start_and_chat(patient, doctor, patient_option={"value": str(member["id"])},
                   complaint="续开降压药：血压控制平稳", department="全科",
                   doctor_says="控制得不错，继续服用氨氯地平", patient_says="医生您好，最近血压130/85")
    diagnose(doctor, code="I10", name="原发性高血压", advice="低盐饮食，每日监测血压")
    doctor.click("[data-testid=prescribe-link]")

    doctor.wait_for_url("**/prescribe")
    doctor.fill("[data-testid=drug-search]", "氨氯地平")
    doctor.locator("[data-testid=drug-option]").first.click()
    doctor.locator("[data-testid=rx-item] input[name=dose]").fill("5")
    doctor.locator("[data-testid=rx-errors]").get_by_text("符合处方规则").wait_for()
    doctor.click("[data-testid=rx-sign]")
    doctor.click("[data-testid=rx-sign-confirm]")
    doctor.wait_for_url("**/prescriptions/*")
    assert "医生 SM2 电子签名有效" in doctor.content()
    screenshot(doctor, "prescribing_doctor_signed")

    patient.goto("/prescriptions")
    row = patient.locator("[data-testid=rx-row]").first
    assert row.locator("[data-testid=rx-status]").inner_text() == "待药师审核"
    assert "氨氯地平" in row.inner_text()
    screenshot(patient, "prescribing_patient_waiting")
