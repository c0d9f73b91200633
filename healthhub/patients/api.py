"""Patient registry API: the account holder and family members, health facts, DP-02 consent, earlier
diagnoses (IDT-02) and the deletion request (DP-03). The paths stay under /api/v1/hospital, where patients
and pages already call them; the records list with consultation summaries is the hospital's (hospital/api.py)."""
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from healthhub.core.db import DbSession
from healthhub.core.errors import AppError
from healthhub.core.images import decode_image
from healthhub.core.inputs import ResourceId
from healthhub.core.public_ids import as_json, encode
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.patients import service
from healthhub.patients.errors import ErrorCode
from healthhub.patients.schemas import HealthIn, PatientIn, RecordIn, SealIn

router = APIRouter(prefix="/api/v1/hospital", tags=["patients"])
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]


def _health(body: HealthIn) -> service.HealthFacts:
    return service.HealthFacts(weight_kg=body.weight_kg, pregnant=body.pregnant, lactating=body.lactating,
                               allergies=body.allergies, conditions=[c.model_dump() for c in body.conditions])


@router.get("/patients", summary="The account holder and family members")
def my_patients(db: DbSession, user: Patient) -> list[dict]:
    return [as_json(p) for p in service.list_patients_of_account(db, account_user_id=user.id)]


@router.post("/patients", status_code=201, summary="Add a real-name profile (self or a family member)")
def add_patient(body: PatientIn, db: DbSession, user: Patient) -> dict:
    return as_json(service.add_patient(db, account_user_id=user.id, data=service.NewPatient(
        relationship=body.relationship, name=body.name, id_number=body.id_number,
        guardian_relationship=body.guardian_relationship, health=_health(body.health))))


@router.put("/patients/{patient_id}/health", summary="Allergies, chronic conditions, pregnancy, weight")
def update_health(patient_id: ResourceId, body: HealthIn, db: DbSession, user: Patient) -> dict:
    return as_json(service.update_health(db, account_user_id=user.id, patient_id=patient_id, facts=_health(body)))


@router.post("/patients/{patient_id}/consent", summary="Give separate consent to health-data processing (DP-02)")
def grant_consent(patient_id: ResourceId, db: DbSession, user: Patient) -> dict:
    consent = service.grant_consent(db, account_user_id=user.id, patient_id=patient_id)
    return {"patient_id": encode(patient_id), "granted_as": consent.granted_as, "granted_at": consent.granted_at,
            "notice_version": consent.notice_version}


@router.post("/patients/{patient_id}/consent/withdraw", summary="Withdraw the consent (DP-02)")
def withdraw_consent(patient_id: ResourceId, db: DbSession, user: Patient) -> dict:
    service.withdraw_consent(db, account_user_id=user.id, patient_id=patient_id)
    return {"patient_id": encode(patient_id), "consent_given": False}


@router.post("/patients/{patient_id}/seal", summary="Deletion request: seals the data (DP-03, IDT-11)")
def seal(patient_id: ResourceId, body: SealIn, db: DbSession, user: Patient) -> dict:
    patient = service.seal_patient(db, account_user_id=user.id, patient_id=patient_id, reason=body.reason)
    return {"patient_id": encode(patient.id), "sealed": True, "sealed_at": patient.sealed_at}


@router.post("/patients/{patient_id}/records", status_code=201, summary="Upload an earlier diagnosis (IDT-02)")
def add_record(patient_id: ResourceId, body: RecordIn, db: DbSession, user: Patient) -> dict:
    record = service.add_record(db, account_user_id=user.id, patient_id=patient_id, data=service.NewRecord(
        record_type=body.record_type, institution=body.institution, visit_date=body.visit_date,
        diagnosis_code=body.diagnosis_code, diagnosis_text=body.diagnosis_text,
        image=decode_image(body.image_base64)))
    return {"id": encode(record.id), "patient_id": encode(record.patient_id), "diagnosis_code": record.diagnosis_code,
            "retain_until": record.retain_until}


@router.get("/records/{record_id}/image", summary="The image of an earlier diagnosis")
def record_image(record_id: ResourceId, db: DbSession, user: Patient) -> Response:
    record = service.owned_record(db, account_user_id=user.id, record_id=record_id)
    if record.image_data is None:
        raise AppError("该病历没有图片 / no image on this record", code=ErrorCode.IMAGE_NOT_FOUND, status=404)
    return Response(record.image_data, media_type=record.image_mime, headers={"X-Content-Type-Options": "nosniff"})
