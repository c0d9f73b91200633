"""Family-doctor API. Money writes (subscribe, renew, pay) take an Idempotency-Key. A purchase is paid through
the payments domain (purchases.py) and takes effect when the provider's callback arrives. Included
consultations are consumed only by real hospital consultations (handlers.py), never by a client call."""
from typing import Annotated

from fastapi import APIRouter, Depends

from healthhub.core.db import DbSession
from healthhub.core.idempotency import IdempotencyKey, idempotent
from healthhub.core.inputs import ResourceId
from healthhub.family_doctor import purchases, service
from healthhub.family_doctor.models import Purchase
from healthhub.family_doctor.schemas import PackageIn, PackageOut, PurchaseOut, SubscribeIn, SubscriptionOut
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.payments.schemas import PayIn, PaymentOut

router = APIRouter(prefix="/api/v1/family-doctor", tags=["family-doctor"])
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
Operator = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))]


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
def update_package(package_id: ResourceId, body: PackageIn, _op: Operator, db: DbSession) -> PackageOut:
    return PackageOut.model_validate(service.save_package(db, data=body, package_id=package_id))


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(patient: Patient, db: DbSession) -> list[SubscriptionOut]:
    return [service.subscription_out(db, sub=s) for s in service.list_subscriptions(db, account_user_id=patient.id)]


@router.post("/subscriptions", response_model=PurchaseOut, status_code=201,
             summary="Subscribe to a package: returns the purchase to pay")
def subscribe(body: SubscribeIn, patient: Patient, db: DbSession, idempotency_key: IdempotencyKey):
    return idempotent(db, scope="fd.subscribe", owner=patient.id, key=idempotency_key, body=body.model_dump(),
                      status_code=201, run=lambda: _purchase_json(
                          service.subscribe(db, account_user_id=patient.id, package_id=body.package_id,
                                            member_patient_ids=body.member_patient_ids)))


@router.post("/subscriptions/{subscription_id}/renew", response_model=PurchaseOut, status_code=201)
def renew(subscription_id: ResourceId, patient: Patient, db: DbSession, idempotency_key: IdempotencyKey):
    return idempotent(db, scope="fd.renew", owner=patient.id, key=idempotency_key,
                      body={"subscription": subscription_id}, status_code=201,
                      run=lambda: _purchase_json(service.renew(db, account_user_id=patient.id,
                                                               subscription_id=subscription_id)))


@router.post("/purchases/{purchase_id}/payments", response_model=PaymentOut, status_code=201,
             summary="Start paying a purchase (Idempotency-Key required); follow redirect_url to the provider")
def pay_purchase(purchase_id: ResourceId, body: PayIn, patient: Patient, db: DbSession,
                 idempotency_key: IdempotencyKey):
    def run() -> tuple[int, dict]:
        payment = purchases.start_payment(db, account_user_id=patient.id, purchase_id=purchase_id,
                                          provider_name=body.provider)
        return 201, PaymentOut.model_validate(payment).model_dump(mode="json")

    return idempotent(db, scope=f"fd.pay:{purchase_id}", owner=patient.id, key=idempotency_key,
                      body=body.model_dump(mode="json"), run=run)
