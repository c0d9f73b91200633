"""The /records page (health records: profiles, chronic conditions, earlier diagnoses with consultation
summaries) and the records list, reached by public ids only."""
from datetime import date

from tests.factories import pid
from tests.patients.builders import make_patient

API = "/api/v1/hospital"
HEALTH = {"weight_kg": 58.5, "allergies": ["青霉素", " 磺胺类 "], "pregnant": True, "lactating": False,
          "conditions": [{"code": "e11.9", "name": "2型糖尿病"}, {"code": "I10", "name": "原发性高血压"}]}


def test_records_page_edits_conditions_pregnancy_and_lactation(db, client, make_user):
    account, headers = make_user("patient")
    holder, _ = make_patient(db, account.id, record=False)
    wife, _ = make_patient(db, account.id, relationship="配偶", birth=date(1990, 2, 3), female=True, record=False)
    client.put(f"{API}/patients/{pid(wife.id)}/health", json=HEALTH, headers=headers)
    page = client.get("/records", headers=headers)
    assert page.status_code == 200
    html = page.text
    assert f'class="form health-form" data-patient="{pid(wife.id)}"' in html
    assert f'data-patient="{pid(holder.id)}"' in html
    assert 'value="E11.9"' in html and 'value="2型糖尿病"' in html and 'value="I10"' in html
    assert 'name="pregnant" data-testid="pregnant" checked' in html
    assert 'name="lactating" data-testid="lactating" >' in html
    assert html.count('name="pregnant"') == 2  # the wife's form and the new-profile form; not the husband's
    assert '<script src="/static/pages/hospital-records.js">' in html
    editor = client.get("/static/pages/hospital-records.js").text
    assert "/health`" in editor and '"PUT"' in editor  # the editor saves through PUT /patients/{id}/health
    assert "妊娠" in html and "2型糖尿病（E11.9）" in html


def test_a_patient_is_reached_by_its_public_id_never_by_the_sequential_key(db, client, make_user):
    account, headers = make_user("patient")
    patient, _ = make_patient(db, account.id, birth=date(1992, 4, 2), female=True, record=False)
    raw = client.get(f"{API}/patients/{patient.id}/records", headers=headers)
    assert raw.status_code == 404 and raw.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"{API}/patients/{pid(patient.id)}/records", headers=headers).status_code == 200
    assert [p["id"] for p in client.get(f"{API}/patients", headers=headers).json()] == [pid(patient.id)]
