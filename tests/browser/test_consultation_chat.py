"""Two people, two browsers: the demo patient starts a follow-up, the demo doctor re-authenticates,
accepts, both see each other's chat messages arrive live, and the doctor closes the visit."""
import pytest

from tests.browser.conftest import login, screenshot
from tests.browser.consult_flow import diagnose, start_and_chat

pytestmark = pytest.mark.browser


def test_patient_and_doctor_chat_live(new_page):
    patient, doctor = new_page(), new_page()
    login(patient, "demo_patient")
    login(doctor, "demo_doctor")
    start_and_chat(patient, doctor, patient_option={"index": 2},  # the elder: 本人 may already be consulting
                   complaint="高血压复诊，早上血压135/85", department="全科",
                   doctor_says="您好，最近有头晕吗？", patient_says="没有头晕，睡眠也还好")
    assert doctor.get_by_test_id("prescribe-link").get_attribute("href").endswith("/prescribe")
    screenshot(patient, "consult-chat-patient")
    screenshot(doctor, "consult-chat-doctor")

    diagnose(doctor, code="I10", name="原发性高血压", advice="继续原方案，低盐饮食")
    doctor.click("#end-consult")
    patient.locator("[data-testid=consult-status][data-status=completed]").wait_for()  # CSP forbids eval
    assert patient.get_by_test_id("chat-input").is_disabled()
