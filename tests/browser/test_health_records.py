"""The demo patient keeps a family member's chronic conditions up to date on /records (saved through
PUT /patients/{id}/health), and browses the doctor directory."""
import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_patient_adds_a_chronic_condition_on_the_records_page(new_page):
    page = new_page()
    login(page, "demo_patient")
    page.goto("/records")
    member = page.get_by_test_id("family-member").nth(2)  # the elder, seeded with two conditions
    member.get_by_test_id("health-editor").locator("summary").click()
    editor = member.locator(".health-form")
    assert editor.get_by_test_id("condition-code").count() == 2
    editor.locator("[data-add-condition]").click()
    code, name = editor.get_by_test_id("condition-code").nth(2), editor.get_by_test_id("condition-name").nth(2)
    code.fill("胃食管反流")  # not an ICD-10 code: the browser refuses before anything is sent
    name.fill("胃食管反流病")
    editor.get_by_test_id("save-health").click()
    assert code.evaluate("el => !el.validity.valid")
    code.fill("k21.0")
    editor.get_by_test_id("save-health").click()
    page.wait_for_load_state("load")
    page.get_by_text("胃食管反流病（K21.0）").wait_for()
    screenshot(page, "records-health-conditions")


def test_patient_browses_doctors_with_their_schedule_and_online_state(new_page):
    page = new_page()
    login(page, "demo_patient")
    page.goto("/doctors")
    cards = page.get_by_test_id("doctor-card")
    assert cards.count() > 0
    assert "今日排班" in cards.first.get_by_test_id("doctor-schedule").inner_text()
    page.get_by_test_id("online-filter").check()
    page.click("#doctor-filter button[type=submit]")
    page.wait_for_url("**online=true**")
    assert page.get_by_test_id("doctor-offline").count() == 0
    screenshot(page, "doctor-directory")
