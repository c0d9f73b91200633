"""Two people, two browsers: the demo patient starts a follow-up, the demo doctor re-authenticates,
accepts, and both see each other's chat messages arrive live."""
import pytest

from tests.browser.conftest import DEMO_PASSWORD, login, screenshot

pytestmark = pytest.mark.browser


def test_patient_and_doctor_chat_live(new_page):
    patient = new_page()
    login(patient, "demo_patient")
    patient.goto("/consult")
    patient.select_option("[data-testid=patient-select]", index=2)  # the elder: 本人 may already be consulting
    assert patient.locator("[data-testid=record-select] option").count() >= 1
    patient.fill("[data-testid=complaint]", "高血压复诊，最近早上血压135/85，想续方")
    patient.click("#suggest")
    patient.select_option("[data-testid=department-select]", label="全科")
    screenshot(patient, "consult-request")
    patient.click("[data-testid=start-consult]")
    status = patient.get_by_test_id("consult-status")
    status.wait_for()
    assert "排队" in status.inner_text()

    doctor = new_page()
    login(doctor, "demo_doctor")
    doctor.goto("/doctor/workbench")
    if doctor.get_by_test_id("online-state").count():  # the demo seed may have left a work session open
        doctor.click("#go-offline")
        doctor.get_by_test_id("reauth-secret").wait_for()
    doctor.fill("[data-testid=reauth-secret]", DEMO_PASSWORD)  # IDT-05: re-authenticate before consulting
    doctor.click("[data-testid=go-online]")
    doctor.get_by_test_id("online-state").wait_for()
    item = doctor.get_by_test_id("queue-item").filter(has_text="高血压复诊")
    item.get_by_role("button", name="接诊").click()
    doctor.locator("#consultation-card").wait_for()

    patient.wait_for_function("document.querySelector('[data-testid=consult-status]').dataset.status === 'in_progress'")
    doctor.fill("[data-testid=chat-input]", "您好，最近有头晕吗？")
    doctor.click("[data-testid=chat-send]")
    patient.locator("[data-testid=chat-message][data-sender=doctor]", has_text="最近有头晕吗").wait_for()

    patient.fill("[data-testid=chat-input]", "没有头晕，睡眠也还好")
    patient.click("[data-testid=chat-send]")
    doctor.locator("[data-testid=chat-message][data-sender=patient]", has_text="没有头晕").wait_for()
    assert doctor.get_by_test_id("prescribe-link").get_attribute("href").endswith("/prescribe")
    screenshot(patient, "consult-chat-patient")
    screenshot(doctor, "consult-chat-doctor")

    doctor.fill("[data-testid=dx-code]", "I10")
    doctor.fill("[data-testid=dx-name]", "原发性高血压")
    doctor.fill("[data-testid=advice]", "继续原方案，低盐饮食")
    doctor.click("#diagnosis-form button[type=submit]")
    doctor.get_by_text("诊断已保存").wait_for()
    doctor.click("#end-consult")
    patient.wait_for_function("document.querySelector('[data-testid=consult-status]').dataset.status === 'completed'")
    assert patient.get_by_test_id("chat-input").is_disabled()
