"""IDT-05 and IDT-10 guards on prescribing: an expired re-authentication refuses writing and signing;
for a child under 6 one confirmation (guardian or doctor) is not enough, both are needed."""
from datetime import date

import pytest

from tests.factories import TEST_PASSWORD, pid
from tests.hospital.builders import expire_work_sessions
from tests.prescriptions.scenario import body, make_scenario

BASE = "/api/v1/prescriptions"
HOSPITAL = "/api/v1/hospital"
THREE_YEARS_OLD = date.today().replace(year=date.today().year - 3)


def assert_problem(response, code):
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_idt05_an_expired_re_authentication_cannot_prescribe(client, db):
    s = make_scenario(db)
    expire_work_sessions(db, s.doctor_id)
    refused = client.post(BASE, json=body(s.consultation_id), headers=s.doctor_headers)
    assert_problem(refused, "reauth-required")
    assert "IDT-05" in refused.json()["detail"]
    assert client.post(f"{HOSPITAL}/doctor/online", json={"method": "password", "secret": TEST_PASSWORD},
                       headers=s.doctor_headers).status_code == 200
    assert client.post(BASE, json=body(s.consultation_id), headers=s.doctor_headers).status_code == 201


def test_idt05_a_draft_cannot_be_signed_once_the_re_authentication_expired(client, db):
    s = make_scenario(db)
    draft = client.post(BASE, json=body(s.consultation_id), headers=s.doctor_headers)
    assert draft.status_code == 201
    expire_work_sessions(db, s.doctor_id)
    signed = client.post(f"{BASE}/{draft.json()['id']}/sign", json={"confirm": True}, headers=s.doctor_headers)
    assert_problem(signed, "reauth-required")
    assert client.get(f"{BASE}/{draft.json()['id']}", headers=s.doctor_headers).json()["status"] == "DRAFT"


@pytest.mark.parametrize("who", ["guardian", "doctor"])
def test_idt10_one_confirmation_alone_does_not_allow_prescribing(client, db, who):
    child = make_scenario(db, birth=THREE_YEARS_OLD)
    if who == "guardian":
        confirmed = client.post(f"{HOSPITAL}/consultations/{pid(child.consultation_id)}/guardian-present",
                                headers=child.patient_headers)
    else:
        confirmed = client.post(f"{HOSPITAL}/consultations/{pid(child.consultation_id)}/doctor-present",
                                headers=child.doctor_headers)
    assert confirmed.status_code == 200 and confirmed.json()[f"{who}_present"] is True
    refused = client.post(BASE, json=body(child.consultation_id), headers=child.doctor_headers)
    assert_problem(refused, "under6-confirmation-required")
    other = "doctor" if who == "guardian" else "guardian"
    headers = child.doctor_headers if other == "doctor" else child.patient_headers
    assert client.post(f"{HOSPITAL}/consultations/{pid(child.consultation_id)}/{other}-present",
                       headers=headers).status_code == 200
    assert client.post(BASE, json=body(child.consultation_id), headers=child.doctor_headers).status_code == 201
