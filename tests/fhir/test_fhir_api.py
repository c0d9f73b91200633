"""FHIR read API: every resource parses back through the fhir.resources R4B models; search; permissions."""
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from sqlalchemy import update

from healthhub.patients.models import Patient as PatientRow
from tests.factories import pid
from tests.prescriptions.scenario import make_scenario
from tests.prescriptions.test_prescribing import create_and_sign


def read(client, url, headers, model):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    return model.model_validate_json(response.text)


def test_each_resource_round_trips_through_the_models(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    h = s.patient_headers
    patient = read(client, f"/fhir/Patient/{pid(s.patient_id)}", h, Patient)
    assert patient.gender == "male" and patient.name[0].text == "王建国"
    # Masked: published under a local system, never the official ID-number one (urn:oid:2.16.156.10011.1.3).
    assert "*" in patient.identifier[0].value and patient.identifier[0].system == "urn:healthhub:masked-resident-id"
    assert patient.identifier[0].use == "secondary"
    practitioner = read(client, f"/fhir/Practitioner/{pid(s.doctor_id)}", h, Practitioner)
    assert practitioner.qualification[0].code.text == "主治医师"
    role = read(client, f"/fhir/PractitionerRole/{pid(s.doctor_id)}", h, PractitionerRole)
    assert role.practitioner.reference == f"Practitioner/{pid(s.doctor_id)}"
    encounter = read(client, f"/fhir/Encounter/{pid(s.consultation_id)}", h, Encounter)
    assert encounter.class_fhir.code == "VR" and encounter.status == "in-progress"
    condition = read(client, f"/fhir/Condition/enc{pid(s.consultation_id)}-1", h, Condition)
    assert condition.code.coding[0].code == "I10"
    request = read(client, f"/fhir/MedicationRequest/{rx['id']}-1", h, MedicationRequest)
    assert request.status == "on-hold" and request.medicationCodeableConcept.text == "氨氯地平"
    codes = {(c.system, c.code) for c in request.medicationCodeableConcept.coding}
    assert ("http://www.whocc.no/atc", "C08CA01") in codes
    assert request.dispenseRequest.quantity.value == 1


def test_search_by_patient_returns_searchset_bundles(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    for kind, expected in (("Encounter", pid(s.consultation_id)), ("Condition", f"enc{pid(s.consultation_id)}-1"),
                           ("MedicationRequest", f"{rx['id']}-1")):
        bundle = read(client, f"/fhir/{kind}?patient=Patient/{pid(s.patient_id)}", s.doctor_headers, Bundle)
        assert bundle.type == "searchset" and bundle.total == 1
        assert bundle.entry[0].resource.id == expected and bundle.entry[0].resource.get_resource_type() == kind


def test_permissions_own_account_treating_doctor_admin_only(client, db, make_user):
    s = make_scenario(db)
    other = make_scenario(db)
    url = f"/fhir/Patient/{pid(s.patient_id)}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=other.patient_headers).status_code == 404
    assert client.get(url, headers=other.doctor_headers).status_code == 404
    assert client.get(f"/fhir/Encounter?patient={pid(s.patient_id)}", headers=other.doctor_headers).status_code == 404
    _, admin = make_user("admin")
    db.commit()
    assert client.get(url, headers=admin).status_code == 200
    _, pharmacist = make_user("pharmacist")
    db.commit()
    assert client.get(url, headers=pharmacist).status_code == 404


def test_a_patient_the_caller_may_not_read_answers_like_a_missing_one(client, db):
    """No id enumeration: someone else's patient and a patient that does not exist get the same answer."""
    s = make_scenario(db)
    other = make_scenario(db)
    missing = pid(s.patient_id + other.patient_id + 1000)

    def answer(url: str, headers) -> tuple:
        response = client.get(url, headers=headers)
        body = response.json()
        body.pop("instance", None)  # the request's own path, echoed back
        return response.status_code, body

    for kind in ("Patient/{}", "Encounter?patient={}", "Condition?patient={}", "MedicationRequest?patient={}"):
        foreign = answer("/fhir/" + kind.format(pid(s.patient_id)), other.patient_headers)
        assert foreign[0] == 404 and foreign == answer("/fhir/" + kind.format(missing), other.patient_headers)
    foreign_visit = answer(f"/fhir/Encounter/{pid(s.consultation_id)}", other.doctor_headers)
    assert foreign_visit[0] == 404 and foreign_visit == answer(f"/fhir/Encounter/{missing}", other.doctor_headers)


def test_sealed_patients_are_not_exposed(client, db):
    s = make_scenario(db)
    db.execute(update(PatientRow).where(PatientRow.id == s.patient_id).values(sealed_at=PatientRow.created_at))
    db.expire_all()
    assert client.get(f"/fhir/Patient/{pid(s.patient_id)}", headers=s.patient_headers).status_code == 404


def test_unknown_ids_are_404(client, db):
    s = make_scenario(db)
    assert client.get("/fhir/Condition/nonsense", headers=s.patient_headers).status_code == 404
    assert client.get("/fhir/Patient/99999999", headers=s.patient_headers).status_code == 404


def test_resources_are_addressed_by_public_ids_never_by_sequential_keys(client, db):
    s = make_scenario(db)
    h = s.patient_headers
    assert client.get(f"/fhir/Patient/{s.patient_id}", headers=h).status_code == 404
    assert client.get(f"/fhir/Encounter/{s.consultation_id}", headers=h).status_code == 404
    assert client.get(f"/fhir/Condition/enc{s.consultation_id}-1", headers=h).status_code == 404
    assert client.get(f"/fhir/Encounter?patient={s.patient_id}", headers=h).status_code == 400
    encounter = read(client, f"/fhir/Encounter/{pid(s.consultation_id)}", h, Encounter)
    assert encounter.id == pid(s.consultation_id) and encounter.subject.reference == f"Patient/{pid(s.patient_id)}"
