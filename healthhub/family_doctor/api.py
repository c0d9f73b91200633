"""Family-doctor API. Money writes (subscribe, renew, pay) take an Idempotency-Key. Included
consultations are consumed only by real hospital consultations (handlers.py), never by a client call."""
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from healthhub.core import idempotency
from healthhub.core.config import get_settings
from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import Forbidden
from healthhub.family_doctor import service
from healthhub.family_doctor.models import Purchase, Subscription
from healthhub.family_doctor.schemas import PackageIn, PackageOut, PurchaseOut, SubscribeIn, SubscriptionOut
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

router = APIRouter(prefix="/api/v1/family-doctor", tags=["family-doctor"])
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
Operator = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _idempotent(db, scope: str, owner: int, key: str | None, payload: dict, action, status_code: int = 201):
    key = idempotency.validate_key(key)
    fingerprint = idempotency.fingerprint(payload)
    if (found := idempotency.replay(db, scope=scope, owner=owner, key=key, request_fingerprint=fingerprint)):
        return JSONResponse(found.response, status_code=found.status_code)
    response = action()
    idempotency.remember(db, scope=scope, owner=owner, key=key, request_fingerprint=fingerprint,
                         status_code=status_code, response=response)
    return JSONResponse(response, status_code=status_code)


def _purchase_json(purchase: Purchase) -> dict:
    return PurchaseOut.model_validate(purchase).model_dump(mode="json")


@router.get("/packages", response_model=list[PackageOut])
def packages(db: DbSession) -> list[PackageOut]:
    return [PackageOut.model_validate(p) for p in service.list_packages(db)]


@router.get("/admin/packages", response_model=list[PackageOut])
def all_packages(_op: Operator, db: DbSession) -> list[PackageOut]:
    return [PackageOut.model_validate(p) for p in service.list_packages(db, active_only=False)]


@router.post("/admin/packages", response_model=PackageOut, status_code=201)
def create_package(body: PackageIn, _op: Operator, db: DbSession) -> PackageOut:
    return PackageOut.model_validate(service.save_package(db, data=body))


@router.put("/admin/packages/{package_id}", response_model=PackageOut)
def update_package(package_id: int, body: PackageIn, _op: Operator, db: DbSession) -> PackageOut:
    return PackageOut.model_validate(service.save_package(db, data=body, package_id=package_id))


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(patient: Patient, db: DbSession) -> list[SubscriptionOut]:
    return [service.subscription_out(db, s) for s in service.list_subscriptions(db, account_user_id=patient.id)]


@router.post("/subscriptions", response_model=PurchaseOut, status_code=201,
             summary="Subscribe to a package: returns the purchase to pay")
def subscribe(body: SubscribeIn, patient: Patient, db: DbSession, idempotency_key: IdempotencyKey = None):
    return _idempotent(db, "fd.subscribe", patient.id, idempotency_key, body.model_dump(), lambda: _purchase_json(
        service.subscribe(db, account_user_id=patient.id, package_id=body.package_id,
                          member_patient_ids=body.member_patient_ids)))


@router.post("/subscriptions/{subscription_id}/renew", response_model=PurchaseOut, status_code=201)
def renew(subscription_id: int, patient: Patient, db: DbSession, idempotency_key: IdempotencyKey = None):
    return _idempotent(db, "fd.renew", patient.id, idempotency_key, {"subscription": subscription_id},
                       lambda: _purchase_json(service.renew(db, account_user_id=patient.id,
                                                            subscription_id=subscription_id)))


@router.post("/purchases/{purchase_id}/sandbox-pay", response_model=PurchaseOut,
             summary="Demo and test only: mark a purchase paid through the sandbox")
def sandbox_pay(purchase_id: int, patient: Patient, db: DbSession, idempotency_key: IdempotencyKey = None):
    if get_settings().env == "production":
        raise Forbidden("生产环境不提供模拟支付 / no sandbox payments in production", code="fd-sandbox-disabled")
    purchase = db.get(Purchase, purchase_id)
    if purchase is None or db.get(Subscription, purchase.subscription_id).account_user_id != patient.id:
        raise Forbidden("这不是您的支付单 / not your purchase", code="fd-not-yours")
    return _idempotent(db, "fd.pay", patient.id, idempotency_key, {"purchase": purchase_id}, lambda: _purchase_json(
        service.confirm_payment(db, purchase_id=purchase_id, payment_ref=service.sandbox_payment_ref(),
                                now=utcnow())), status_code=200)
