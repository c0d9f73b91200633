"""Family-doctor pages: packages and the account's contracts for patients, package admin for operators."""
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from healthhub.core.db import DbSession
from healthhub.core.navigation import add_menu
from healthhub.core.templating import render
from healthhub.family_doctor import service
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.patients import service as patients

router = APIRouter(include_in_schema=False)
add_menu("家庭医生", "/family-doctor", {Role.PATIENT}, order=45)
add_menu("家医服务包", "/admin/family-doctor", {Role.OPERATOR, Role.ADMIN}, order=45)
# A covered member whose profile was sealed at their request (DP-03) is no longer listed by the registry.
SEALED_MEMBER = "已注销的成员"


@router.get("/family-doctor")
def patient_page(request: Request, patient: Annotated[Principal, Depends(require_roles(Role.PATIENT))],
                 db: DbSession):
    subscriptions = [service.subscription_out(db, sub=s) for s in service.list_subscriptions(db, account_user_id=patient.id)]
    pending = service.pending_purchases(db, subscription_ids=[s.id for s in subscriptions])
    members = patients.list_patients_of_account(db, account_user_id=patient.id)
    # Masked as everywhere a patient is listed; the relationship tells apart two members of one surname.
    member_names = {m.id: f"{m.masked_name}（{m.relationship}）" for m in members}
    return render(request, "family_doctor/index.html", {
        "packages": service.list_packages(db), "subscriptions": subscriptions, "pending": pending,
        "members": members, "member_names": member_names,
        "covered_names": {s.id: [member_names.get(m, SEALED_MEMBER) for m in s.member_patient_ids]
                          for s in subscriptions},
        "package_names": {s.id: s.package_name for s in subscriptions},
        "uses": service.uses_of(db, subscription_ids=[s.id for s in subscriptions])})


@router.get("/admin/family-doctor")
def admin_page(request: Request, _op: Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))],
               db: DbSession):
    return render(request, "family_doctor/admin.html", {"packages": service.list_packages(db, active_only=False)})
