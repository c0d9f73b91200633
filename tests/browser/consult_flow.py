"""The consultation steps the browser tests share: account set-up through the page's own API calls, then the
patient asks for a follow-up on /consult, the demo doctor re-authenticates on /doctor/workbench, accepts it
from the queue, and both chat."""
from datetime import date

from tests.browser.conftest import DEMO_PASSWORD, login
from tests.factories import valid_id_number

HOSPITAL = "/api/v1/hospital"


def call(page, method: str, url: str, body=None):
    """A JSON API call made by the page itself (its session cookie and CSRF token), for account set-up."""
    return page.evaluate("([m, u, b]) => HH.api(m, u, b === null ? undefined : b)", [method, url, body])


def family_member_with_record(patient, *, relationship: str, name: str, birth: date, female: bool = False,
                              visit_date: str, diagnosis_code: str, diagnosis_text: str) -> dict:
    """A new family member who consented and has an earlier diagnosis (what a follow-up consultation needs)."""
    member = call(patient, "POST", f"{HOSPITAL}/patients", {
        "relationship": relationship, "name": name, "id_number": valid_id_number(birth=birth, female=female)})
    call(patient, "POST", f"{HOSPITAL}/patients/{member['id']}/consent")
    call(patient, "POST", f"{HOSPITAL}/patients/{member['id']}/records", {
        "record_type": "门诊病历", "institution": "北京朝阳医院", "visit_date": visit_date,
        "diagnosis_code": diagnosis_code, "diagnosis_text": diagnosis_text})
    return member


def start_and_chat(patient, doctor, *, patient_option: dict, complaint: str, department: str,
                   doctor_says: str, patient_says: str) -> None:
    patient.goto("/consult")
    patient.select_option("[data-testid=patient-select]", **patient_option)
    assert patient.locator("[data-testid=record-select] option").count() >= 1
    patient.fill("[data-testid=complaint]", complaint)
    patient.click("#suggest")
    # The suggestion fills the department when it arrives; choose only after, or it overwrites the choice.
    patient.locator("#suggestions:not(:empty)").wait_for()  # locators, not wait_for_function: CSP forbids eval
    patient.select_option("[data-testid=department-select]", label=department)
    patient.click("[data-testid=start-consult]")
    status = patient.get_by_test_id("consult-status")
    status.wait_for()
    assert "排队" in status.inner_text()

    doctor.goto("/doctor/workbench")
    if doctor.get_by_test_id("online-state").count():  # a demo work session may still be open
        doctor.click("#go-offline")
        doctor.get_by_test_id("reauth-secret").wait_for()
    doctor.fill("[data-testid=reauth-secret]", DEMO_PASSWORD)  # IDT-05: re-authenticate before consulting
    doctor.click("[data-testid=go-online]")
    doctor.get_by_test_id("online-state").wait_for()
    doctor.get_by_test_id("queue-item").filter(has_text=complaint).get_by_role("button", name="接诊").click()
    doctor.locator("#consultation-card").wait_for()

    patient.locator("[data-testid=consult-status][data-status=in_progress]").wait_for()
    doctor.fill("[data-testid=chat-input]", doctor_says)
    doctor.click("[data-testid=chat-send]")
    patient.locator("[data-testid=chat-message][data-sender=doctor]", has_text=doctor_says).wait_for()
    patient.fill("[data-testid=chat-input]", patient_says)
    patient.click("[data-testid=chat-send]")
    doctor.locator("[data-testid=chat-message][data-sender=patient]", has_text=patient_says).wait_for()


def diagnose(doctor, *, code: str, name: str, advice: str) -> None:
    doctor.fill("[data-testid=dx-code]", code)
    doctor.fill("[data-testid=dx-name]", name)
    doctor.fill("[data-testid=advice]", advice)
    doctor.click("#diagnosis-form button[type=submit]")
    doctor.get_by_text("诊断已保存").wait_for()


def hypertension_follow_up_at_prescribe_page(patient, doctor, *, relationship: str, name: str, birth: date,
                                             female: bool = False) -> None:
    """A hypertensive family member's follow-up up to the doctor's prescribe page, amlodipine picked: the two
    pages logged in, the member set up, the consultation chatted and diagnosed (I10)."""
    login(patient, "demo_patient")
    login(doctor, "demo_doctor")
    member = family_member_with_record(patient, relationship=relationship, name=name, birth=birth, female=female,
                                       visit_date="2026-10-08", diagnosis_code="I10", diagnosis_text="原发性高血压")
    start_and_chat(patient, doctor, patient_option={"value": str(member["id"])},
                   complaint="续开降压药：血压控制平稳", department="全科",
                   doctor_says="控制得不错，继续服用氨氯地平", patient_says="医生您好，最近血压130/85")
    diagnose(doctor, code="I10", name="原发性高血压", advice="低盐饮食，每日监测血压")
    doctor.click("[data-testid=prescribe-link]")
    doctor.wait_for_url("**/prescribe")
    doctor.fill("[data-testid=drug-search]", "氨氯地平")
    doctor.locator("[data-testid=drug-option]").first.click()
