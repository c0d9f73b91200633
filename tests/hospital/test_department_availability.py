"""Online doctors, queue length and expected wait per department (service_directory.department_availability),
with the nearest department that has doctors online for one that has none; and the consult page carries them."""
import json
import re

from healthhub.core.db import utcnow
from healthhub.hospital import rules
from healthhub.hospital.centres import department_by_name
from healthhub.hospital.service_directory import department_availability
from tests.factories import pid
from tests.hospital.builders import expire_work_sessions, make_doctor, online, request
from tests.patients.builders import make_patient


def by_name(db):
    return {a.department: a for a in department_availability(db, now=utcnow())}


def test_online_doctors_queue_and_wait_per_department(db, client, make_user):
    _, resp_headers, _ = make_doctor(db, make_user, department="呼吸内科")
    _, gp_headers, gp_doctor = make_doctor(db, make_user, department="全科")
    make_doctor(db, make_user, department="皮肤科")  # never goes online
    online(client, resp_headers)
    online(client, gp_headers)
    account, patient_headers = make_user("patient")
    patient, record = make_patient(db, account.id)
    assert request(client, patient_headers, patient, record, department_by_name(db, "呼吸内科").id).status_code == 201

    seen = by_name(db)
    resp, gp, derm, internal = seen["呼吸内科"], seen["全科"], seen["皮肤科"], seen["内科"]
    assert (resp.online_doctors, resp.waiting, resp.centre_online_doctors) == (1, 1, 1)
    assert resp.expected_wait_minutes == rules.TYPICAL_CONSULTATION_MINUTES and resp.alternative_id is None
    assert (gp.online_doctors, gp.waiting, gp.expected_wait_minutes) == (1, 0, 0)
    # Nobody online: no estimate, and the nearest staffed department is offered (全科: same centre as 内科).
    assert internal.online_doctors == 0 and internal.expected_wait_minutes is None
    assert internal.alternative_id == gp.department_id
    assert derm.online_doctors == 0 and derm.alternative_id == gp.department_id  # 皮肤 centre: nobody online

    expire_work_sessions(db, gp_doctor.id)  # an expired IDT-05 session is not online
    assert by_name(db)["全科"].online_doctors == 0 and by_name(db)["内科"].alternative_id is None


def test_consult_page_carries_the_counts_and_the_escalation_timeout(db, client, make_user):
    make_doctor(db, make_user, department="全科")
    account, headers = make_user("patient")
    make_patient(db, account.id)
    html = client.get("/consult", headers=headers).text
    block = re.search(r'<script id="availability-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["escalationMinutes"] == 15
    internal = next(d for d in data["departments"] if d["department"] == "内科")
    assert internal["department_id"] == pid(department_by_name(db, "内科").id)
    assert internal["online_doctors"] == 0 and internal["alternative_id"] is None
