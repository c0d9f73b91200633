"""E-prescription API. Writes are doctor-only (IDT-07); reads follow policies.can_read_prescription."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from healthhub.core.db import DbSession, utcnow
from healthhub.core.inputs import ResourceId
from healthhub.core.pagination import Page, PageParams, page_params
from healthhub.core.public_ids import encode
from healthhub.identity.deps import CurrentUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.knowledge.model import RxClass
from healthhub.prescriptions import prescribing, service
from healthhub.prescriptions.policies import lists_as_prescriber
from healthhub.prescriptions.schemas import (CheckOut, ConfirmIn, DrugOut, PrescriptionIn, PrescriptionOut,
                                             RuleErrorOut, SignIn)

router = APIRouter(prefix="/api/v1/prescriptions", tags=["prescriptions"])
Doctor = Annotated[Principal, Depends(require_roles(Role.DOCTOR))]


def _out(view: service.PrescriptionView) -> PrescriptionOut:
    return PrescriptionOut.model_validate(view)


def _view(db, prescription_id: int) -> PrescriptionOut:
    return _out(service.get_prescription(db, prescription_id=prescription_id))


@router.get("/drugs", response_model=list[DrugOut], summary="Search the drug knowledge base by generic name")
def search_drugs(_doctor: Doctor, q: Annotated[str, Query(min_length=1, max_length=50)]) -> list[DrugOut]:
    return [DrugOut(key=d.key, name_zh=d.name_zh, name_en=d.name_en, rx=d.rx_class in (None, RxClass.RX),
                    prescribable_online=d.prescribable_online, antimicrobial=d.antimicrobial, cold_chain=d.cold_chain)
            for d in prescribing.search_drugs(q)]


@router.post("/check", response_model=CheckOut, summary="Check a draft against RX/IDT rules without saving")
def check(body: PrescriptionIn, doctor: Doctor, db: DbSession) -> CheckOut:
    errors = prescribing.check(db, principal=doctor, data=body)
    return CheckOut(ok=not errors, errors=[RuleErrorOut(rule=e.rule, message=e.message, field=e.field) for e in errors])


@router.post("", response_model=PrescriptionOut, status_code=201, summary="Create a draft prescription")
def create(body: PrescriptionIn, doctor: Doctor, db: DbSession) -> PrescriptionOut:
    return _view(db, prescribing.create_draft(db, principal=doctor, data=body).id)


@router.put("/{prescription_id}", response_model=PrescriptionOut, summary="Replace a draft's content")
def update(prescription_id: ResourceId, body: PrescriptionIn, doctor: Doctor, db: DbSession) -> PrescriptionOut:
    return _view(db, prescribing.update_draft(db, principal=doctor, prescription_id=prescription_id, data=body).id)


@router.post("/{prescription_id}/sign", response_model=PrescriptionOut,
             summary="Sign with the doctor's SM2 key and submit for pharmacist review")
def sign(prescription_id: ResourceId, body: SignIn, doctor: Doctor, db: DbSession) -> PrescriptionOut:
    return _view(db, prescribing.sign(db, principal=doctor, prescription_id=prescription_id, confirm=body.confirm).id)


@router.post("/{prescription_id}/revise", response_model=PrescriptionOut, status_code=201,
             summary="Copy a returned prescription into a new draft version")
def revise(prescription_id: ResourceId, doctor: Doctor, db: DbSession) -> PrescriptionOut:
    return _view(db, prescribing.revise(db, principal=doctor, prescription_id=prescription_id).id)


@router.post("/{prescription_id}/confirm", response_model=PrescriptionOut,
             summary="Answer a pharmacist's confirmation request and sign again (RV-05)")
def confirm(prescription_id: ResourceId, body: ConfirmIn, doctor: Doctor, db: DbSession) -> PrescriptionOut:
    rx = prescribing.confirm_for_review(db, principal=doctor, prescription_id=prescription_id, comment=body.comment, confirm=body.confirm)
    return _view(db, rx.id)


@router.get("", response_model=Page[PrescriptionOut],
            summary="A doctor's own prescriptions, or a patient account's signed ones")
def list_prescriptions(principal: Annotated[Principal, Depends(require_roles(Role.DOCTOR, Role.PATIENT))],
                       db: DbSession, params: Annotated[PageParams, Depends(page_params)],
                       needs_action: bool = False) -> Page[PrescriptionOut]:
    if lists_as_prescriber(principal):
        views, total = service.list_for_doctor(db, doctor_user_id=principal.id, params=params,
                                               needs_action=needs_action)
    else:
        views, total = service.list_for_account(db, account_user_id=principal.id, params=params)
    return Page(items=[_out(v) for v in views], total=total, page=params.page, size=params.size)


@router.get("/usable", summary="Approved, still valid prescriptions the patient account can buy drugs with")
def usable(principal: Annotated[Principal, Depends(require_roles(Role.PATIENT))], db: DbSession) -> list[dict]:
    return [{"id": encode(u.id), "number": u.number, "patient_label": u.patient_label, "doctor_name": u.doctor_name,
             "valid_until": u.valid_until.isoformat(),
             "lines": [{"knowledge_key": k, "generic_name": n, "quantity": q} for k, n, q in u.lines]}
            for u in service.list_usable_for_account(db, account_user_id=principal.id, now=utcnow())]


@router.get("/{prescription_id}", response_model=PrescriptionOut, summary="One prescription, signature re-verified")
def get_one(prescription_id: ResourceId, principal: CurrentUser, db: DbSession) -> PrescriptionOut:
    return _out(service.get_for(db, principal=principal, prescription_id=prescription_id))
