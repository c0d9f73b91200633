"""FHIR R4 as integrators meet it: the CapabilityStatement, OperationOutcome errors, strict parameters,
paging, and ids that resolve (issue 10, item 11)."""
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome

import healthhub.fhir.api  # noqa: F401  (registers OperationOutcome errors for /fhir/, as the app does)
from healthhub.core.errors import Forbidden, install_error_handlers
from tests.factories import pid
from tests.prescriptions.scenario import body, make_scenario
from tests.prescriptions.test_prescribing import create_and_sign

SERVED = {"Patient": ["read"], "Practitioner": ["read"], "PractitionerRole": ["read"],
          "Encounter": ["read", "search-type"], "Condition": ["read", "search-type"],
          "MedicationRequest": ["read", "search-type"]}
METFORMIN = {"name": "二甲双胍", "dose": "500", "unit": "mg", "frequency": "bid", "route": "口服", "days": 7,
             "quantity": 1}


def outcome(response, status: int, issue_code: str) -> OperationOutcome:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    result = OperationOutcome.model_validate_json(response.text)
    assert result.issue[0].code == issue_code and result.issue[0].severity in ("error", "fatal")
    return result


def test_metadata_is_open_and_states_exactly_what_is_served(client, db):
    s = make_scenario(db)
    response = client.get("/fhir/metadata")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate_json(response.text)
    assert statement.fhirVersion == "4.0.1" and statement.kind == "instance" and "json" in statement.format
    resources = {r.type: r for r in statement.rest[0].resource}
    assert {kind: sorted(i.code for i in r.interaction) for kind, r in resources.items()} == SERVED
    for kind, resource in resources.items():
        if "search-type" in SERVED[kind]:
            assert [p.name for p in resource.searchParam] == ["patient"]
            found = client.get(f"/fhir/{kind}?patient=Patient/{pid(s.patient_id)}", headers=s.patient_headers)
            assert found.status_code == 200, found.text


def test_every_id_and_reference_in_the_output_resolves_by_get_on_its_type(client, db):
    s = make_scenario(db)
    create_and_sign(client, s, body(s.consultation_id, body(s.consultation_id)["items"][0], METFORMIN))
    h = s.patient_headers
    pending = [f"Patient/{pid(s.patient_id)}"]
    for kind in ("Encounter", "Condition", "MedicationRequest"):
        bundle = client.get(f"/fhir/{kind}?patient=Patient/{pid(s.patient_id)}", headers=h).json()
        for entry in bundle["entry"]:
            assert entry["fullUrl"].endswith(f"/fhir/{kind}/{entry['resource']['id']}")
            pending.append(f"{kind}/{entry['resource']['id']}")
    seen: dict[str, dict] = {}
    while pending:
        reference = pending.pop()
        if reference in seen:
            continue
        response = client.get(f"/fhir/{reference}", headers=h)
        assert response.status_code == 200, (reference, response.text)
        seen[reference] = resource = response.json()
        assert f"{resource['resourceType']}/{resource['id']}" == reference
        pending += list(_references(resource))
    kinds = {reference.split("/")[0] for reference in seen}
    assert kinds == {"Patient", "Practitioner", "Encounter", "Condition", "MedicationRequest"}
    assert sum(reference.startswith("MedicationRequest/") for reference in seen) == 2


def _references(node):
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node["reference"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_medications_are_coded_by_atc_and_nhsa_where_known(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    request = client.get(f"/fhir/MedicationRequest/{rx['id']}-1", headers=s.patient_headers).json()
    concept = request["medicationCodeableConcept"]
    assert concept["text"] == "氨氯地平"
    assert {"system": "http://www.whocc.no/atc", "code": "C08CA01", "display": "amlodipine"} in concept["coding"]
    nhsa = [c for c in concept["coding"] if c["system"] == "urn:healthhub:nhsa-drug-code"]
    assert [c["code"] for c in nhsa] == ["XC08CAA321A0"]  # amlodipine has one NHSA code in the shared data


def test_the_masked_id_number_is_not_published_as_an_official_id_number(client, db):
    s = make_scenario(db)
    response = client.get(f"/fhir/Patient/{pid(s.patient_id)}", headers=s.patient_headers)
    assert "2.16.156.10011.1.3" not in response.text and '"official"' not in response.text.split('"name"')[0]


def test_errors_under_fhir_are_operation_outcomes(client, db):
    s = make_scenario(db)
    h = s.patient_headers
    outcome(client.get("/fhir/Nothing/here", headers=h), 404, "not-found")
    outcome(client.get(f"/fhir/Patient/{'0' * 32}", headers=h), 404, "not-found")
    unauthenticated = client.get(f"/fhir/Patient/{pid(s.patient_id)}")
    outcome(unauthenticated, 401, "login")
    assert unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    outcome(client.get(f"/fhir/Encounter?patient=Patient/{pid(s.patient_id)}&_summary=count", headers=h),
            400, "not-supported")
    stored = outcome(client.get(f"/fhir/Encounter?patient=%00{pid(s.patient_id)}", headers=h), 422, "invalid")
    assert stored.issue[0].details.coding[0].system == "https://healthhub.dev/problems"
    outcome(client.post("/fhir/Encounter", headers=h, json={}), 405, "not-supported")


def test_forbidden_and_internal_errors_under_fhir_are_operation_outcomes_too():
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fhir/refused")
    def refused():
        raise Forbidden("无权访问 / not allowed")

    @app.get("/fhir/broken")
    def broken():
        raise RuntimeError("a fault, not for the client")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        outcome(test_client.get("/fhir/refused"), 403, "forbidden")
        fault = outcome(test_client.get("/fhir/broken"), 500, "exception")
        assert fault.issue[0].severity == "fatal" and "a fault" not in test_client.get("/fhir/broken").text


def test_other_routes_keep_problem_json(client):
    response = client.get("/api/v1/nothing-here", headers={"accept": "application/json"})
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert client.get("/fhirx", headers={"accept": "application/json"}).headers["content-type"] == (
        "application/problem+json")


def test_unsupported_or_repeated_parameters_are_refused_not_ignored(client, db):
    s = make_scenario(db)
    h = s.patient_headers
    patient = f"patient=Patient/{pid(s.patient_id)}"
    for query in ("subject=Patient/x", f"{patient}&date=ge2026-01-01", f"{patient}&{patient}",
                  f"{patient}&_sort=date", f"{patient}&_include=Encounter:subject"):
        outcome(client.get(f"/fhir/Encounter?{query}", headers=h), 400, "not-supported")
    outcome(client.get(f"/fhir/Patient/{pid(s.patient_id)}?name=王", headers=h), 400, "not-supported")
    outcome(client.get("/fhir/metadata?mode=terminology"), 400, "not-supported")
    outcome(client.get("/fhir/Encounter", headers=h), 400, "invalid")  # patient is required
    outcome(client.get(f"/fhir/Encounter?{patient}&_count=many", headers=h), 400, "invalid")


def test_format_json_is_served_and_other_formats_are_not_acceptable(client, db):
    s = make_scenario(db)
    url = f"/fhir/Patient/{pid(s.patient_id)}"
    for requested in ("json", "application/fhir+json", "application/json"):
        assert client.get(url, params={"_format": requested}, headers=s.patient_headers).status_code == 200
    outcome(client.get(url, params={"_format": "xml"}, headers=s.patient_headers), 406, "not-supported")


def test_count_pages_the_searchset_with_next_and_previous_links(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s, body(s.consultation_id, body(s.consultation_id)["items"][0], METFORMIN))
    search = f"/fhir/MedicationRequest?patient=Patient/{pid(s.patient_id)}"
    first = Bundle.model_validate_json(client.get(f"{search}&_count=1", headers=s.patient_headers).text)
    assert first.total == 2 and [e.resource.id for e in first.entry] == [f"{rx['id']}-1"]
    links = {link.relation: link.url for link in first.link}
    assert "previous" not in links and "_offset=1" in links["next"]
    second_url = links["next"][links["next"].index("/fhir/"):]
    second = Bundle.model_validate_json(client.get(second_url, headers=s.patient_headers).text)
    assert [e.resource.id for e in second.entry] == [f"{rx['id']}-2"]
    assert "next" not in {link.relation for link in second.link}
    summary = Bundle.model_validate_json(client.get(f"{search}&_count=0", headers=s.patient_headers).text)
    assert summary.total == 2 and not summary.entry
