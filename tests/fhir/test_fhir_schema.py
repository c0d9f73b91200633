"""Every resource type the FHIR API emits validates against HL7's R4 JSON schema (fhir.schema.json), checked
with `jsonschema`: a validator and a schema we did not write (tests/fhir/schema.py says where it comes from)."""
import pytest

from tests.factories import pid
from tests.fhir.schema import schema_errors
from tests.fhir.test_fhir_conformance import METFORMIN
from tests.prescriptions.scenario import body, make_scenario
from tests.prescriptions.test_prescribing import create_and_sign


def conforms(response) -> dict:
    resource = response.json()
    assert schema_errors(resource) == [], (resource["resourceType"], schema_errors(resource))
    return resource


def test_the_schema_check_is_not_vacuous():
    assert schema_errors({"resourceType": "Patient", "id": "ok", "gender": "male"}) == []
    errors = schema_errors({"resourceType": "Patient", "gender": "man", "identifier": [{"value": ""}], "nick": 1})
    assert len(errors) == 3, errors  # an unknown code, an empty string, an unknown element


def test_every_resource_type_we_emit_conforms(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s, body(s.consultation_id, body(s.consultation_id)["items"][0], METFORMIN))
    h = s.patient_headers
    emitted = {conforms(client.get("/fhir/metadata"))["resourceType"]}
    for url in (f"/fhir/Patient/{pid(s.patient_id)}", f"/fhir/Practitioner/{pid(s.doctor_id)}",
                f"/fhir/PractitionerRole/{pid(s.doctor_id)}", f"/fhir/Encounter/{pid(s.consultation_id)}",
                f"/fhir/Condition/enc{pid(s.consultation_id)}-1", f"/fhir/MedicationRequest/{rx['id']}-2"):
        response = client.get(url, headers=h)
        assert response.status_code == 200, response.text
        emitted.add(conforms(response)["resourceType"])
    for kind in ("Encounter", "Condition", "MedicationRequest"):
        bundle = conforms(client.get(f"/fhir/{kind}?patient=Patient/{pid(s.patient_id)}&_count=1", headers=h))
        assert bundle["total"] >= 1 and all(not schema_errors(e["resource"]) for e in bundle["entry"])
        emitted.add(bundle["resourceType"])
    assert emitted == {"CapabilityStatement", "Patient", "Practitioner", "PractitionerRole", "Encounter",
                       "Condition", "MedicationRequest", "Bundle"}


@pytest.mark.parametrize("url,authenticated", [
    ("/fhir/Patient/{missing}", True), ("/fhir/Patient/{missing}", False), ("/fhir/Encounter?subject=x", True),
    ("/fhir/Encounter?patient=%00", True), ("/fhir/metadata?_format=xml", False), ("/fhir/Unknown", True)])
def test_operation_outcomes_conform(client, db, url, authenticated):
    s = make_scenario(db)
    response = client.get(url.format(missing="0" * 32), headers=s.patient_headers if authenticated else {})
    assert response.status_code >= 400
    assert conforms(response)["resourceType"] == "OperationOutcome"
