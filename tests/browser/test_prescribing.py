"""Two people in two browser contexts: the patient starts a follow-up consultation, the demo doctor
accepts, both chat, the doctor diagnoses, prescribes on the prescribe page and signs, and the patient
sees the prescription waiting for pharmacist review (待药师审核). Only the account set-up (a new
family member with consent and an earlier diagnosis) goes through the JSON API."""
from datetime import date

import pytest

from tests.browser.conftest import screenshot
from tests.browser.consult_flow import hypertension_follow_up_at_prescribe_page

pytestmark = pytest.mark.browser


def test_doctor_prescribes_and_patient_sees_it_waiting_for_review(new_page):
    patient, doctor = new_page(), new_page()
    hypertension_follow_up_at_prescribe_page(patient, doctor, relationship="配偶", name="林晓燕",
                                             birth=date(1979, 4, 2), female=True)
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
