"""FHIR R4 read API (application/fhir+json). Readable by the patient's own account, the doctors who
treated the patient, and admins; sealed patients (DP-03) are not exposed at all. A record the caller may
not read answers exactly like a missing one (404), so ids cannot be probed for existence."""
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from healthhub.core.config import get_settings
from healthhub.core.db import DbSession
from healthhub.core.errors import AppError, NotFound
from healthhub.core.inputs import ResourceId
from healthhub.core.public_ids import PUBLIC_ID_PATTERN, decode
from healthhub.fhir import mapping, policies
from healthhub.fhir.errors import ErrorCode
from healthhub.hospital import service as hospital
from healthhub.identity.deps import CurrentUser
from healthhub.identity.service import Principal
from healthhub.patients import service as patients
from healthhub.prescriptions import service as prescriptions

router = APIRouter(prefix="/fhir", tags=["fhir"])
FHIR_JSON = "application/fhir+json"
PUBLIC_ID = PUBLIC_ID_PATTERN.strip("^$")
PatientRef = Annotated[str, Query(alias="patient", pattern=f"^(Patient/)?{PUBLIC_ID}$",
                                  description="Patient/<public id> or <public id>")]


def _fhir(resource: Resource) -> Response:
    return Response(resource.model_dump_json(exclude_none=True), media_type=FHIR_JSON)


def _bundle(request: Request, resources: list[Resource]) -> Response:
    # Absolute links come from configuration: the client's Host header must not decide where they point.
    public = get_settings().public_url.rstrip("/")
    base = public + "/fhir"
    query = f"?{request.url.query}" if request.url.query else ""
    self_url = public + request.url.path + query
    return _fhir(Bundle(type="searchset", total=len(resources), link=[{"relation": "self", "url": self_url}],
                        entry=[{"fullUrl": f"{base}/{r.get_resource_type()}/{r.id}", "resource": r,
                                "search": {"mode": "match"}} for r in resources]))


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


def _patient_id(reference: str) -> int:
    return _decoded(reference.removeprefix("Patient/"))


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
def search_encounters(request: Request, patient: PatientRef, principal: CurrentUser, db: DbSession) -> Response:
    patient_id = authorised_patient(db, principal, _patient_id(patient)).id
    return _bundle(request, [mapping.encounter_resource(c)
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
def search_conditions(request: Request, patient: PatientRef, principal: CurrentUser, db: DbSession) -> Response:
    patient_id = authorised_patient(db, principal, _patient_id(patient)).id
    return _bundle(request, [mapping.condition_resource(c, rank, d)
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
    return _fhir(mapping.medication_request_resource(rx, item))


@router.get("/MedicationRequest")
def search_medication_requests(request: Request, patient: PatientRef, principal: CurrentUser,
                               db: DbSession) -> Response:
    patient_id = authorised_patient(db, principal, _patient_id(patient)).id
    return _bundle(request, [mapping.medication_request_resource(rx, item)
                             for rx in prescriptions.list_for_patient(db, patient_id=patient_id)
                             for item in rx.items])
