"""Hospital API, part 1: centres, triage, patients and family members, consent, records, the doctor
directory, doctors going online. Consultations and chat are in api_consultations.py."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import AppError
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.pagination import Page, PageParams, page_params
from healthhub.core.public_ids import as_json, encode
from healthhub.hospital import service, service_doctors, service_patients
from healthhub.hospital.api_consultations import router as consultations_router
from healthhub.hospital.centres import list_centres
from healthhub.hospital.retention import read_sealed, seal_patient
from healthhub.hospital.schemas import HealthIn, PatientIn, PinIn, ReauthIn, RecordIn, SealedReadIn, SealIn, decode_image
from healthhub.hospital.service_directory import DoctorCard, find_doctors
from healthhub.hospital.triage import suggest_department
from healthhub.identity.deps import CurrentUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

router = APIRouter(prefix="/api/v1/hospital", tags=["hospital"])
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
DoctorUser = Annotated[Principal, Depends(require_roles(Role.DOCTOR))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def _health(body: HealthIn) -> service_patients.HealthFacts:
    return service_patients.HealthFacts(weight_kg=body.weight_kg, pregnant=body.pregnant, lactating=body.lactating,
                                        allergies=body.allergies, conditions=[c.model_dump() for c in body.conditions])


@router.get("/centres", summary="The 24 specialty centres with their departments")
def centres(db: DbSession, _user: CurrentUser) -> list[dict]:
    return [as_json(c) for c in list_centres(db)]


@router.get("/triage", summary="Departments suggested for the patient's description (keyword triage)")
def triage(_user: CurrentUser, text: Annotated[str, Query(max_length=2000)]) -> list[dict]:
    return [{"department": d, "score": s} for d, s in suggest_department(text)]


@router.get("/patients", summary="The account holder and family members")
def my_patients(db: DbSession, user: Patient) -> list[dict]:
    return [as_json(p) for p in service.list_patients_of_account(db, account_user_id=user.id)]


@router.post("/patients", status_code=201, summary="Add a real-name profile (self or a family member)")
def add_patient(body: PatientIn, db: DbSession, user: Patient) -> dict:
    patient = service_patients.add_patient(db, account_user_id=user.id, data=service_patients.NewPatient(
        relationship=body.relationship, name=body.name, id_number=body.id_number,
        guardian_relationship=body.guardian_relationship, health=_health(body.health)))
    return as_json(service.get_patient(db, patient_id=patient.id))


@router.put("/patients/{patient_id}/health", summary="Allergies, chronic conditions, pregnancy, weight")
def update_health(patient_id: ResourceId, body: HealthIn, db: DbSession, user: Patient) -> dict:
    service_patients.update_health(db, account_user_id=user.id, patient_id=patient_id, facts=_health(body))
    return as_json(service.get_patient(db, patient_id=patient_id))


@router.post("/patients/{patient_id}/consent", summary="Give separate consent to health-data processing (DP-02)")
def grant_consent(patient_id: ResourceId, db: DbSession, user: Patient) -> dict:
    consent = service_patients.grant_consent(db, account_user_id=user.id, patient_id=patient_id)
    return {"patient_id": encode(patient_id), "granted_as": consent.granted_as, "granted_at": consent.granted_at,
            "notice_version": consent.notice_version}


@router.post("/patients/{patient_id}/consent/withdraw", summary="Withdraw the consent (DP-02)")
def withdraw_consent(patient_id: ResourceId, db: DbSession, user: Patient) -> dict:
    service_patients.withdraw_consent(db, account_user_id=user.id, patient_id=patient_id)
    return {"patient_id": encode(patient_id), "consent_given": False}


@router.post("/patients/{patient_id}/seal", summary="Deletion request: seals the data (DP-03, IDT-11)")
def seal(patient_id: ResourceId, body: SealIn, db: DbSession, user: Patient) -> dict:
    patient = seal_patient(db, account_user_id=user.id, patient_id=patient_id, reason=body.reason)
    return {"patient_id": encode(patient.id), "sealed": True, "sealed_at": patient.sealed_at}


@router.get("/patients/{patient_id}/records", summary="Earlier diagnoses and consultation summaries")
def records(patient_id: ResourceId, db: DbSession, user: Patient) -> list[dict]:
    service_patients.owned_patient(db, account_user_id=user.id, patient_id=patient_id)
    return [as_json(r) for r in service.list_records(db, patient_id=patient_id)]


@router.post("/patients/{patient_id}/records", status_code=201, summary="Upload an earlier diagnosis (IDT-02)")
def add_record(patient_id: ResourceId, body: RecordIn, db: DbSession, user: Patient) -> dict:
    record = service_patients.add_record(db, account_user_id=user.id, patient_id=patient_id,
                                         data=service_patients.NewRecord(
                                             record_type=body.record_type, institution=body.institution,
                                             visit_date=body.visit_date, diagnosis_code=body.diagnosis_code,
                                             diagnosis_text=body.diagnosis_text,
                                             image=decode_image(body.image_base64)))
    return {"id": encode(record.id), "patient_id": encode(record.patient_id), "diagnosis_code": record.diagnosis_code,
            "retain_until": record.retain_until}


@router.get("/records/{record_id}/image", summary="The image of an earlier diagnosis")
def record_image(record_id: ResourceId, db: DbSession, user: Patient) -> Response:
    record = service_patients.owned_record(db, account_user_id=user.id, record_id=record_id)
    if record.image_data is None:
        raise AppError("该病历没有图片 / no image on this record", code="image-not-found", status=404)
    return Response(record.image_data, media_type=record.image_mime, headers={"X-Content-Type-Options": "nosniff"})


@router.get("/doctors", summary="Doctors patients can consult: centre, departments, today's schedule, live online "
                                "state (online first)")
def doctors(db: DbSession, _user: CurrentUser, params: Annotated[PageParams, Depends(page_params)],
            centre: QueryId | None = None, department: QueryId | None = None,
            online: bool | None = None) -> Page[DoctorCard]:
    cards, total = find_doctors(db, now=utcnow(), params=params, centre_id=centre, department_id=department,
                                online=online)
    return Page(items=cards, total=total, page=params.page, size=params.size)


@router.get("/doctor/me", summary="The calling doctor's profile and eligibility (IDT-04)")
def doctor_me(db: DbSession, user: DoctorUser) -> dict:
    view = service.get_doctor_by_user(db, user_id=user.id)
    work = service_doctors.active_work_session(db, view.id, utcnow())
    return {**as_json(view), "work_session_expires_at": work.expires_at if work else None}


@router.post("/doctor/online", summary="Go online after real-name re-authentication (IDT-05)")
def go_online(body: ReauthIn, request: Request, db: DbSession, user: DoctorUser) -> dict:
    try:
        work = service_doctors.go_online(db, doctor_user_id=user.id, username=user.username, method=body.method,
                                         secret=body.secret, client_ip=request.client.host if request.client else None)
    except AppError:
        db.commit()  # keep the failure counter: re-authentication must not be brute-forced
        raise
    return {"online": True, "work_session_id": encode(work.id), "expires_at": work.expires_at}


@router.post("/doctor/offline", summary="Stop taking consultations")
def go_offline(db: DbSession, user: DoctorUser) -> dict:
    service_doctors.go_offline(db, doctor_user_id=user.id)
    return {"online": False}


@router.post("/doctor/pin", summary="Set a 6-digit PIN for re-authentication (needs the password)")
def set_pin(body: PinIn, db: DbSession, user: DoctorUser) -> dict:
    try:
        service_doctors.set_pin(db, doctor_user_id=user.id, username=user.username, password=body.password,
                                pin=body.pin)
    except AppError:
        db.commit()
        raise
    return {"pin_set": True}


@router.post("/admin/sealed/{patient_id}/read", summary="Admin reads sealed data, stating a reason (audited)")
def admin_read_sealed(patient_id: ResourceId, body: SealedReadIn, db: DbSession, _admin: Admin) -> dict:
    return as_json(read_sealed(db, patient_id=patient_id, reason=body.reason))


router.include_router(consultations_router)
