"""Patient health data: PUT /patients/{id}/health (chronic conditions as ICD-10, pregnancy, lactation,
weight, allergies) with field-level errors."""
from datetime import date

from healthhub.patients.models import Patient
from tests.factories import pid
from tests.patients.builders import make_patient

API = "/api/v1/hospital"
HEALTH = {"weight_kg": 58.5, "allergies": ["青霉素", " 磺胺类 "], "pregnant": True, "lactating": False,
          "conditions": [{"code": "e11.9", "name": "2型糖尿病"}, {"code": "I10", "name": "原发性高血压"}]}


def female_patient(db, make_user):
    account, headers = make_user("patient")
    patient, _ = make_patient(db, account.id, birth=date(1992, 4, 2), female=True, record=False)
    return headers, patient


def test_health_update_saves_conditions_pregnancy_and_lactation(db, client, make_user):
    headers, patient = female_patient(db, make_user)
    saved = client.put(f"{API}/patients/{pid(patient.id)}/health", json=HEALTH, headers=headers)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["conditions"] == ["E11.9", "I10"] and body["condition_names"] == ["2型糖尿病", "原发性高血压"]
    assert body["pregnant"] is True and body["lactating"] is False and body["weight_kg"] == 58.5
    assert body["allergies"] == ["磺胺类", "青霉素"]
    lactating = client.put(f"{API}/patients/{pid(patient.id)}/health", headers=headers,
                           json={**HEALTH, "pregnant": False, "lactating": True, "conditions": []})
    assert lactating.json()["lactating"] is True and lactating.json()["conditions"] == []
    db.expire_all()
    assert db.get(Patient, patient.id).lactating is True


def test_health_update_errors_name_the_field(db, client, make_user):
    headers, patient = female_patient(db, make_user)
    url = f"{API}/patients/{pid(patient.id)}/health"
    bad_code = client.put(url, headers=headers, json={**HEALTH, "conditions": [
        {"code": "I10", "name": "原发性高血压"}, {"code": "高血压", "name": "高血压"}]})
    assert bad_code.status_code == 422 and bad_code.headers["content-type"].startswith("application/problem+json")
    assert bad_code.json()["code"] == "validation-error"
    assert [e["field"] for e in bad_code.json()["errors"]] == ["conditions[1].code"]
    assert "ICD-10" in bad_code.json()["errors"][0]["message"]
    no_name = client.put(url, headers=headers, json={**HEALTH, "conditions": [{"code": "I10", "name": ""}]})
    assert [e["field"] for e in no_name.json()["errors"]] == ["conditions[0].name"]
    heavy = client.put(url, headers=headers, json={**HEALTH, "weight_kg": 0})
    assert [e["field"] for e in heavy.json()["errors"]] == ["weight_kg"]
    db.expire_all()
    assert db.get(Patient, patient.id).conditions == []  # nothing of a refused update was kept


def test_pregnancy_on_a_male_profile_is_refused_with_the_field(db, client, make_user):
    account, headers = make_user("patient")
    patient, _ = make_patient(db, account.id, record=False)
    refused = client.put(f"{API}/patients/{pid(patient.id)}/health", headers=headers,
                         json={"pregnant": True, "lactating": True})
    assert refused.status_code == 422 and refused.json()["code"] == "bad-pregnancy"
    assert [e["field"] for e in refused.json()["errors"]] == ["pregnant", "lactating"]


def test_only_the_account_edits_its_patients_health(db, client, make_user):
    _, patient = female_patient(db, make_user)
    _, stranger = make_user("patient")
    db.commit()
    assert client.put(f"{API}/patients/{pid(patient.id)}/health", json=HEALTH, headers=stranger).status_code == 404
    assert client.put(f"{API}/patients/{pid(patient.id)}/health", json=HEALTH).status_code == 401
