"""A patient whose department has no doctor online is told so before and after queueing, with what happens
next (escalation to the centre after the timeout) and the nearest department that has a doctor online;
choosing it withdraws the request and refills the form. The demo doctor (全科) is the one online."""
from datetime import date

import pytest

from tests.browser.consult_flow import HOSPITAL, call, family_member_with_record
from tests.browser.conftest import DEMO_PASSWORD, login, screenshot

pytestmark = pytest.mark.browser


def test_a_department_with_nobody_online_says_so_and_offers_the_nearest_staffed_one(new_page):
    patient, doctor = new_page(), new_page()
    login(doctor, "demo_doctor")
    call(doctor, "POST", f"{HOSPITAL}/doctor/online", {"method": "password", "secret": DEMO_PASSWORD})
    login(patient, "demo_patient")
    member = family_member_with_record(patient, relationship="父母", name="林国栋", birth=date(1951, 6, 12),
                                       visit_date="2026-09-18", diagnosis_code="E11.9", diagnosis_text="2型糖尿病")

    patient.goto("/consult")
    patient.select_option("[data-testid=patient-select]", value=str(member["id"]))
    patient.fill("[data-testid=complaint]", "糖尿病复诊，空腹血糖7.2，想续开二甲双胍")
    patient.select_option("[data-testid=department-select]", label="内科")
    before = patient.get_by_test_id("department-availability")
    assert "内科目前没有医生在线" in before.get_by_test_id("no-doctor-notice").inner_text()
    assert "全科" in before.get_by_test_id("department-alternative").inner_text()
    assert "排队超过 15 分钟无人接诊" in before.inner_text()

    patient.click("[data-testid=start-consult]")
    patient.locator("[data-testid=consult-status][data-status=waiting]").wait_for()
    queued = patient.get_by_test_id("status-availability")
    assert "您的问诊暂时无人接诊" in queued.get_by_test_id("no-doctor-notice").inner_text()
    alternative = queued.get_by_test_id("department-alternative")
    assert "全科" in alternative.inner_text() and "在线医生 1 位" in alternative.inner_text()
    screenshot(patient, "consultation_no_doctor_online")

    alternative.get_by_test_id("choose-alternative").click()
    patient.get_by_text("已取消原排队").wait_for()
    department = patient.locator("[data-testid=department-select] option:checked")
    assert department.inner_text() == "全科"
    assert "在线医生 1 位" in patient.get_by_test_id("department-availability").inner_text()
    assert call(patient, "GET", f"{HOSPITAL}/consultations")[0]["status"] == "cancelled"
    call(doctor, "POST", f"{HOSPITAL}/doctor/offline")
