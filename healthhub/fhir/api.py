"""FHIR R4 read API (application/fhir+json). Readable by the patient's own account, the doctors who
treated the patient, and admins; sealed patients (DP-03) are not exposed at all. A record the caller may
not read answers exactly like a missing one (404), so ids cannot be probed for existence.

Every id a resource carries or references resolves by GET on its type: public ids for rows, and
`<prescription public id>-<line>` / `enc<consultation public id>-<rank>` for the prescription lines and
diagnoses that have no row of their own. Errors are OperationOutcome (outcomes.py); parameters are
checked strictly (search.py); GET /fhir/metadata says what is served (capability.py)."""
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fhir.resources.R4B.resource import Resource

from healthhub.core.config import get_settings
from healthhub.core.db import DbSession
from healthhub.core.errors import AppError, NotFound, render_errors_under
from healthhub.core.inputs import ResourceId
from healthhub.core.public_ids import decode
from healthhub.fhir import mapping, policies
from healthhub.fhir.capability import capability_statement
from healthhub.fhir.errors import ErrorCode
from healthhub.fhir.outcomes import FHIR_JSON, operation_outcome_body
from healthhub.fhir.search import (FHIR_PREFIX, PUBLIC_ID, SearchQuery, refuse_unsupported_parameters, search_query,
                                   searchset)
from healthhub.hospital import service as hospital
from healthhub.identity.deps import CurrentUser
from healthhub.identity.service import Principal
from healthhub.knowledge.model import DrugFacts
from healthhub.knowledge.service import get_knowledge_base
from healthhub.patients import service as patients
from healthhub.prescriptions import service as prescriptions

router = APIRouter(prefix=FHIR_PREFIX, tags=["fhir"], dependencies=[Depends(refuse_unsupported_parameters)])
render_errors_under(FHIR_PREFIX + "/", operation_outcome_body)
Search = Annotated[SearchQuery, Depends(search_query)]


def _fhir(resource: Resource) -> Response:
    return Response(resource.model_dump_json(exclude_none=True), media_type=FHIR_JSON)


def _bundle(resource_type: str, query: SearchQuery, resources: list[Resource]) -> Response:
    # Absolute links come from configuration: the client's Host header must not decide where they point.
    return _fhir(searchset(get_settings().public_url, resource_type, query, resources))


def _gone() -> NotFound:
    return NotFound("资源不存在 / resource not found", code=ErrorCode.FHIR_NOT_FOUND)


def authorised_patient(db, principal: Principal, patient_id: int) -> patients.PatientView:
    try:
        patient = patients.get_patient(db, patient_id=patient_id)
    except AppError as exc:
        raise _gone() from exc
    if patient.sealed:
        raise _gone()
    treated = policies.is_doctor(principal) and _has_treated(db, principal, patient_id)
    if not policies.can_read_patient(principal, patient, treated_by_caller=treated):
        raise _gone()
    return patient


def _has_treated(db, doctor_account: Principal, patient_id: int) -> bool:
    try:
        doctor = hospital.get_doctor_by_user(db, user_id=doctor_account.id)
    except AppError:
        return False  # a doctor account without a practising profile has treated nobody
    return any(c.doctor_id == doctor.id for c in hospital.list_consultations_of_patient(db, patient_id=patient_id))


def _decoded(public_id: str) -> int:
    key = decode(public_id)
    if key is None:
        raise _gone()  # well-formed but not one of ours: as unknown as a missing record
    return key


def _consultation(db, consultation_id: int) -> hospital.ConsultationView:
    try:
        return hospital.get_consultation(db, consultation_id=consultation_id)
    except AppError as exc:
        raise _gone() from exc


def _doctor(db, doctor_id: int) -> hospital.DoctorView:
    try:
        return hospital.get_doctor(db, doctor_id=doctor_id)
    except AppError as exc:
        raise _gone() from exc


def _drug(knowledge_key: str) -> DrugFacts | None:
    # A line written under an older knowledge base may name a drug the current one lacks: text only then.
    return get_knowledge_base().resolve(knowledge_key)


def _medication_request(rx: prescriptions.PrescriptionView, item: prescriptions.ItemView) -> Resource:
    return mapping.medication_request_resource(rx, item, _drug(item.knowledge_key))


@router.get("/metadata")
def read_capability_statement(request: Request) -> Response:
    """What this server serves, fetched by FHIR clients before they log in."""
    return _fhir(capability_statement(router.routes, public_url=get_settings().public_url,
                                      software_version=request.app.version))


@router.get("/Patient/{patient_id}")
def read_patient(patient_id: ResourceId, principal: CurrentUser, db: DbSession) -> Response:
    return _fhir(mapping.patient_resource(authorised_patient(db, principal, patient_id)))


@router.get("/Practitioner/{doctor_id}")
def read_practitioner(doctor_id: ResourceId, _principal: CurrentUser, db: DbSession) -> Response:
    """Doctors' names, titles and licence numbers are public practice information."""
    return _fhir(mapping.practitioner_resource(_doctor(db, doctor_id)))


@router.get("/PractitionerRole/{doctor_id}")
def read_practitioner_role(doctor_id: ResourceId, _principal: CurrentUser, db: DbSession) -> Response:
    return _fhir(mapping.practitioner_role_resource(_doctor(db, doctor_id)))


@router.get("/Encounter/{consultation_id}")
def read_encounter(consultation_id: ResourceId, principal: CurrentUser, db: DbSession) -> Response:
    consultation = _consultation(db, consultation_id)
    authorised_patient(db, principal, consultation.patient_id)
    return _fhir(mapping.encounter_resource(consultation))


@router.get("/Encounter")
def search_encounters(principal: CurrentUser, db: DbSession, query: Search) -> Response:
    patient_id = authorised_patient(db, principal, query.patient_id).id
    return _bundle("Encounter", query, [mapping.encounter_resource(c)
                                        for c in hospital.list_consultations_of_patient(db, patient_id=patient_id)])


@router.get("/Condition/{condition_id}")
def read_condition(condition_id: str, principal: CurrentUser, db: DbSession) -> Response:
    match = re.fullmatch(f"enc({PUBLIC_ID})-(\\d{{1,3}})", condition_id)
    if not match:
        raise _gone()
    consultation = _consultation(db, _decoded(match[1]))
    authorised_patient(db, principal, consultation.patient_id)
    rank = int(match[2])
    if not 1 <= rank <= len(consultation.diagnoses):
        raise _gone()
    return _fhir(mapping.condition_resource(consultation, rank, consultation.diagnoses[rank - 1]))


@router.get("/Condition")
def search_conditions(principal: CurrentUser, db: DbSession, query: Search) -> Response:
    patient_id = authorised_patient(db, principal, query.patient_id).id
    return _bundle("Condition", query, [mapping.condition_resource(c, rank, d)
                                        for c in hospital.list_consultations_of_patient(db, patient_id=patient_id)
                                        for rank, d in enumerate(c.diagnoses, start=1)])


@router.get("/MedicationRequest/{request_id}")
def read_medication_request(request_id: str, principal: CurrentUser, db: DbSession) -> Response:
    match = re.fullmatch(f"({PUBLIC_ID})-(\\d{{1,2}})", request_id)
    if not match:
        raise _gone()
    try:
        rx = prescriptions.get_prescription(db, prescription_id=_decoded(match[1]))
    except AppError as exc:
        raise _gone() from exc
    if rx.status == "DRAFT":
        raise _gone()  # a draft is the doctor's working copy, not yet a medical record
    authorised_patient(db, principal, rx.patient_id)
    item = next((i for i in rx.items if i.line_no == int(match[2])), None)
    if item is None:
        raise _gone()
    return _fhir(_medication_request(rx, item))


@router.get("/MedicationRequest")
def search_medication_requests(principal: CurrentUser, db: DbSession, query: Search) -> Response:
    patient_id = authorised_patient(db, principal, query.patient_id).id
    return _bundle("MedicationRequest", query, [_medication_request(rx, item)
                                                for rx in prescriptions.list_for_patient(db, patient_id=patient_id)
                                                for item in rx.items])
