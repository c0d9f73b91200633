"""The doctor directory patients browse, and what an expired IDT-05 work session means: the doctor
shows offline and can take nobody until re-authenticated."""
from datetime import date, time, timedelta

from healthhub.core.dates import local_today
from healthhub.hospital import service
from healthhub.hospital.centres import department_by_name
from healthhub.hospital.models import Doctor
from healthhub.hospital.service_doctors import ScheduleSlot, set_schedule
from tests.factories import pid
from tests.hospital.builders import expire_work_sessions, make_doctor, online, request
from tests.patients.builders import make_patient

API = "/api/v1/hospital"


def listed(client, headers, **params):
    response = client.get(f"{API}/doctors", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_idt05_an_expired_work_session_cannot_accept(db, client, make_user):
    _, doctor_headers, doctor = make_doctor(db, make_user, department="呼吸内科")
    account, patient_headers = make_user("patient")
    patient, record = make_patient(db, account.id)
    cid = request(client, patient_headers, patient, record, department_by_name(db, "呼吸内科").id).json()["id"]
    online(client, doctor_headers)
    expire_work_sessions(db, doctor.id)
    refused = client.post(f"{API}/consultations/{cid}/accept", headers=doctor_headers)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "reauth-required" and problem["type"].endswith("/reauth-required")
    assert "IDT-05" in problem["detail"]
    online(client, doctor_headers)  # re-authenticating opens a fresh session
    assert client.post(f"{API}/consultations/{cid}/accept", headers=doctor_headers).status_code == 200


def test_directory_shows_centre_departments_specialties_schedule_and_live_online_state(db, client, make_user):
    _, doctor_headers, doctor = make_doctor(db, make_user, department="呼吸内科")
    db.get(Doctor, doctor.id).specialties = ["慢性咳嗽", "哮喘"]
    today = local_today().weekday()
    set_schedule(db, doctor_id=doctor.id, slots=[ScheduleSlot(today, time(8), time(12)),
                                                 ScheduleSlot((today + 1) % 7, time(13), time(17))])
    _, patient_headers = make_user("patient")
    db.commit()
    dept = department_by_name(db, "呼吸内科")
    [card] = [d for d in listed(client, patient_headers, department=pid(dept.id))["items"] if d["id"] == pid(doctor.id)]
    assert card["title"] == "主治医师" and card["centre"] == "呼吸" and card["departments"] == ["呼吸内科"]
    assert card["specialties"] == ["慢性咳嗽", "哮喘"] and card["today_slots"] == ["08:00–12:00"]
    assert card["online"] is False and "licence_no" not in card

    online(client, doctor_headers)
    assert [d["id"] for d in listed(client, patient_headers, department=pid(dept.id), online=True)["items"]] == [pid(doctor.id)]
    # the online flag is still set, but the IDT-05 session ran out: offline for patients, and everywhere else
    expire_work_sessions(db, doctor.id)
    assert db.get(Doctor, doctor.id).online is True
    assert listed(client, patient_headers, department=pid(dept.id), online=True)["items"] == []
    assert [d["online"] for d in listed(client, patient_headers, department=pid(dept.id))["items"]] == [False]
    assert service.get_doctor(db, doctor_id=doctor.id).online is False


def test_directory_filters_paginates_and_puts_online_doctors_first(db, client, make_user):
    doctors = [make_doctor(db, make_user, department="皮肤科") for _ in range(3)]
    _, other_headers, other = make_doctor(db, make_user, department="眼科")
    online(client, doctors[2][1])
    _, patient_headers = make_user("patient")
    db.commit()
    centre = pid(db.get(Doctor, doctors[0][2].id).centre_id)
    first = listed(client, patient_headers, centre=centre, size=2)
    assert first["total"] == 3 and first["page"] == 1 and len(first["items"]) == 2
    assert first["items"][0]["id"] == pid(doctors[2][2].id) and first["items"][0]["online"] is True
    second = listed(client, patient_headers, centre=centre, size=2, page=2)
    ids = {d["id"] for d in first["items"] + second["items"]}
    assert ids == {pid(d.id) for _, _, d in doctors} and pid(other.id) not in ids
    offline = listed(client, patient_headers, centre=centre, online=False)
    assert {d["id"] for d in offline["items"]} == {pid(doctors[0][2].id), pid(doctors[1][2].id)}
    bad = client.get(f"{API}/doctors", params={"size": 500}, headers=patient_headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "size"
    assert client.get(f"{API}/doctors").status_code == 401


def test_directory_leaves_out_doctors_not_eligible_online(db, client, make_user):
    _, _, junior = make_doctor(db, make_user, department="眼科", started=date.today() - timedelta(days=365 * 2))
    _, _, partner = make_doctor(db, make_user, department="眼科", affiliation="partner", multi_site=False)
    _, _, filed = make_doctor(db, make_user, department="眼科", affiliation="partner", multi_site=True)
    _, patient_headers = make_user("patient")
    db.commit()
    ids = {d["id"] for d in listed(client, patient_headers, department=pid(department_by_name(db, "眼科").id),
                                   size=100)["items"]}
    assert pid(filed.id) in ids and pid(junior.id) not in ids and pid(partner.id) not in ids


def test_doctors_page_lists_doctors_with_filters_and_an_empty_state(db, client, make_user):
    _, doctor_headers, doctor = make_doctor(db, make_user, department="呼吸内科")
    online(client, doctor_headers)
    account, patient_headers = make_user("patient")
    make_patient(db, account.id)
    dept = department_by_name(db, "呼吸内科")
    page = client.get(f"/doctors?centre=&department={pid(dept.id)}&online=true", headers=patient_headers)
    assert page.status_code == 200
    assert doctor.name in page.text and 'data-testid="doctor-online"' in page.text and "今日排班" in page.text
    empty = client.get(f"/doctors?department={pid(department_by_name(db, '精神科').id)}&online=true",
                       headers=patient_headers)
    assert empty.status_code == 200 and "没有符合条件的医生" in empty.text
    assert 'href="/doctors">查看医生排班与在线状态' in client.get("/consult", headers=patient_headers).text
