"""Internet-hospital pages: patient consult flow, records and the doctor directory, doctor workbench,
operator stats."""
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder

from healthhub.core.dates import local_today
from healthhub.core.db import DbSession, utcnow
from healthhub.core.navigation import add_menu
from healthhub.core.pagination import PageParams, page_params
from healthhub.core.public_ids import as_json, decode
from healthhub.core.templating import render
from healthhub.hospital import rules, service
from healthhub.hospital import service_consultations as consultations
from healthhub.hospital.api_consultations import consultation_out
from healthhub.hospital.centres import list_centres
from healthhub.hospital.service_directory import department_availability, find_doctors
from healthhub.hospital.service_doctors import active_work_session
from healthhub.hospital.service_metrics import consultation_metrics
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.patients import schemas as patient_schemas
from healthhub.patients import service as patients
from healthhub.patients.service import PatientView

router = APIRouter(include_in_schema=False)
add_menu("在线复诊", "/consult", {Role.PATIENT}, order=20)
add_menu("健康档案", "/records", {Role.PATIENT}, order=21)
add_menu("找医生", "/doctors", {Role.PATIENT}, order=22)
add_menu("医生工作台", "/doctor/workbench", {Role.DOCTOR}, order=20)
add_menu("问诊运营数据", "/hospital/stats", {Role.OPERATOR, Role.ADMIN}, order=40)

PatientUser = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
DoctorUser = Annotated[Principal, Depends(require_roles(Role.DOCTOR))]
Operator = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))]


def _member(db, patient: PatientView) -> dict:
    """A family member as page data (public ids), with the earlier diagnoses a consultation can cite."""
    return {**as_json(patient), "records": [as_json(r) for r in service.list_records(db, patient_id=patient.id)
                                            if r.kind == "earlier_diagnosis"]}


@router.get("/consult")
def consult_page(request: Request, db: DbSession, user: PatientUser):
    family = patients.list_patients_of_account(db, account_user_id=user.id)
    active = [c for p in family for c in service.list_consultations_of_patient(db, patient_id=p.id)
              if c.status in consultations.ACTIVE]
    return render(request, "hospital/consult.html", {
        "family": [_member(db, p) for p in family], "centres": list_centres(db),
        "record_types": patient_schemas.RECORD_TYPES,
        "availability": [as_json(a) for a in department_availability(db, now=utcnow())],
        "escalation_minutes": int(consultations.DEFAULT_REASSIGN_TIMEOUT.total_seconds() // 60),
        "active": jsonable_encoder([consultation_out(db, service.consultation_row(db, consultation_id=c.id)) for c in active])})


@router.get("/records")
def records_page(request: Request, db: DbSession, user: PatientUser):
    family = []
    for patient in patients.list_patients_of_account(db, account_user_id=user.id):
        history = [as_json(r) for r in service.list_records(db, patient_id=patient.id)]
        family.append({**_member(db, patient), "history": history})
    return render(request, "hospital/records.html", {
        "family": family, "relationships": patient_schemas.RELATIONSHIPS,
        "guardians": patient_schemas.GUARDIAN_RELATIONSHIPS, "record_types": patient_schemas.RECORD_TYPES})


def _id_filter(raw: str) -> int | None:
    # The filter form sends "" for "all"; anything that is not a public id means no filter.
    return decode(raw) if raw else None


@router.get("/doctors")
def doctors_page(request: Request, db: DbSession, _user: PatientUser,
                 params: Annotated[PageParams, Depends(page_params)], centre: str = "", department: str = "",
                 online: bool = False):
    centre_id, department_id = _id_filter(centre), _id_filter(department)
    cards, total = find_doctors(db, now=utcnow(), params=params, centre_id=centre_id, department_id=department_id,
                                online=True if online else None)
    query = f"centre={centre if centre_id else ''}&department={department if department_id else ''}" + (
        "&online=true" if online else "")
    return render(request, "hospital/doctors.html", {
        "doctors": cards, "total": total, "page": params.page, "pages": max(1, -(-total // params.size)),
        "centres": list_centres(db), "centre_id": centre_id, "department_id": department_id, "online": online,
        "query": query})


@router.get("/doctor/workbench")
def workbench(request: Request, db: DbSession, user: DoctorUser):
    doctor = service.get_doctor_by_user(db, user_id=user.id)
    work = active_work_session(db, doctor_id=doctor.id, now=utcnow())
    return render(request, "hospital/workbench.html", {
        "doctor": doctor, "work": work, "reasons": rules.TERMINATION_REASONS,
        "queue": jsonable_encoder([consultation_out(db, c) for c in consultations.queue_for_doctor(
            db, doctor_user_id=user.id)]),
        "mine": jsonable_encoder([consultation_out(db, c) for c in consultations.doctor_consultations(
            db, doctor_user_id=user.id)])})


@router.get("/hospital/stats")
def stats_page(request: Request, db: DbSession, _user: Operator):
    today = local_today()
    metrics = consultation_metrics(db, day_from=today - timedelta(days=29), day_to=today)
    return render(request, "hospital/stats.html", {"metrics": metrics})
