"""Prescription pages: the doctor's prescribe page and list, the patient's list, one shared detail page."""
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from healthhub.core.db import DbSession
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.navigation import add_menu
from healthhub.core.pagination import PageParams, page_params
from healthhub.core.templating import render
from healthhub.identity.deps import CurrentUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.prescriptions import prescribing, service
from healthhub.prescriptions.rules import DOSE_UNITS, FREQUENCIES, MAX_VALIDITY_DAYS, ROUTES

router = APIRouter(include_in_schema=False)
add_menu("我的处方", "/prescriptions", {Role.PATIENT}, order=40)
add_menu("处方管理", "/doctor/prescriptions", {Role.DOCTOR}, order=40)

Doctor = Annotated[Principal, Depends(require_roles(Role.DOCTOR))]
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]


@router.get("/doctor/consultations/{consultation_id}/prescribe")
def prescribe_page(request: Request, consultation_id: ResourceId, doctor: Doctor, db: DbSession,
                  draft: QueryId | None = None):
    context = prescribing.context_for(db, principal=doctor, consultation_id=consultation_id)
    editing = service.get_for(db, principal=doctor, prescription_id=draft) if draft else None
    return render(request, "prescriptions/prescribe.html", {
        "consultation": context.consultation, "patient": context.patient, "doctor": context.doctor,
        "draft": editing, "frequencies": FREQUENCIES, "routes": ROUTES, "units": DOSE_UNITS,
        "max_validity": MAX_VALIDITY_DAYS})


def _pages(total: int, params: PageParams) -> int:
    return max(1, -(-total // params.size))


@router.get("/doctor/prescriptions")
def doctor_list(request: Request, doctor: Doctor, db: DbSession, params: Annotated[PageParams, Depends(page_params)],
                needs_action: bool = False):
    views, total = service.list_for_doctor(db, doctor_user_id=doctor.id, params=params, needs_action=needs_action)
    return render(request, "prescriptions/doctor_list.html", {
        "items": views, "total": total, "params": params, "pages": _pages(total, params),
        "needs_action": needs_action})


@router.get("/prescriptions")
def patient_list(request: Request, patient: Patient, db: DbSession,
                 params: Annotated[PageParams, Depends(page_params)]):
    views, total = service.list_for_account(db, account_user_id=patient.id, params=params)
    return render(request, "prescriptions/patient_list.html", {
        "items": views, "total": total, "params": params, "pages": _pages(total, params)})


@router.get("/prescriptions/{prescription_id}")
def detail(request: Request, prescription_id: ResourceId, principal: CurrentUser, db: DbSession):
    view = service.get_for(db, principal=principal, prescription_id=prescription_id)
    return render(request, "prescriptions/detail.html", {"rx": view, "history": service.history(db, prescription_id=view.id)})

