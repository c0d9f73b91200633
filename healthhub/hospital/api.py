"""Hospital API, part 1: centres, triage, a patient's records (earlier diagnoses with consultation
summaries), the doctor directory, doctors going online, the administrator's read of sealed data.
Consultations and chat are in api_consultations.py; patients, consent and uploads in patients/api.py."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import AppError
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.pagination import Page, PageParams, page_params
from healthhub.core.public_ids import as_json, encode
from healthhub.hospital import service, service_doctors
from healthhub.hospital.api_consultations import router as consultations_router
from healthhub.hospital.centres import list_centres
from healthhub.hospital.retention import read_sealed
from healthhub.hospital.schemas import PinIn, ReauthIn, SealedReadIn
from healthhub.hospital.service_directory import DoctorCard, find_doctors
from healthhub.hospital.triage import suggest_department
from healthhub.identity.deps import CurrentUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.patients import service as patients

router = APIRouter(prefix="/api/v1/hospital", tags=["hospital"])
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
DoctorUser = Annotated[Principal, Depends(require_roles(Role.DOCTOR))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


@router.get("/centres", summary="The 24 specialty centres with their departments")
def centres(db: DbSession, _user: CurrentUser) -> list[dict]:
    return [as_json(c) for c in list_centres(db)]


@router.get("/triage", summary="Departments suggested for the patient's description (keyword triage)")
def triage(_user: CurrentUser, text: Annotated[str, Query(max_length=2000)]) -> list[dict]:
    return [{"department": d, "score": s} for d, s in suggest_department(text)]


@router.get("/patients/{patient_id}/records", summary="Earlier diagnoses and consultation summaries")
def records(patient_id: ResourceId, db: DbSession, user: Patient) -> list[dict]:
    patients.owned_patient(db, account_user_id=user.id, patient_id=patient_id)
    return [as_json(r) for r in service.list_records(db, patient_id=patient_id)]


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
    work = service_doctors.active_work_session(db, doctor_id=view.id, now=utcnow())
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
