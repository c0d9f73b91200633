"""Who is calling the review service and what they may see.

A caller is either a tenant API key or a signed-in user. Every read of reviews goes through
`visible_reviews`, so isolation between tenants is enforced in one place: a clinic (key or
clinic admin) sees only its own tenant, a pharmacist the platform queue plus assigned tenants, a
doctor the reviews of their own prescriptions, operators and admins everything.
"""
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from healthhub.core.errors import Forbidden, NotFound
from healthhub.identity.roles import Role
from healthhub.review import tenants as tenant_service
from healthhub.review.models import ReviewRecord, Tenant

API_KEY_ROLE = "api_key"
PLATFORM_ROLES = frozenset({Role.ADMIN.value, Role.OPERATOR.value})


@dataclass(frozen=True)
class Caller:
    role: str  # a Role value, or "api_key"
    user_id: int | None = None
    tenant_id: int | None = None  # the clinic acting: from the API key or the clinic admin's membership
    api_key_id: int | None = None

    @property
    def is_platform(self) -> bool:
        return self.role in PLATFORM_ROLES

    @property
    def is_clinic(self) -> bool:
        return self.role in (API_KEY_ROLE, Role.CLINIC_ADMIN.value)


def user_caller(session: Session, *, user_id: int, role: Role) -> Caller:
    tenant_id = tenant_service.clinic_admin_tenant_id(session, user_id) if role == Role.CLINIC_ADMIN else None
    return Caller(role=role.value, user_id=user_id, tenant_id=tenant_id)


def visible_reviews(session: Session, caller: Caller) -> ColumnElement[bool]:
    if caller.is_platform:
        return true()
    if caller.is_clinic:
        return ReviewRecord.tenant_id == caller.tenant_id if caller.tenant_id is not None else false()
    if caller.role == Role.PHARMACIST.value:
        assigned = tenant_service.pharmacist_tenant_ids(session, caller.user_id)
        return or_(ReviewRecord.tenant_id.is_(None), ReviewRecord.tenant_id.in_(assigned))
    if caller.role == Role.DOCTOR.value:
        return or_(ReviewRecord.submitted_by_user_id == caller.user_id, ReviewRecord.doctor_user_id == caller.user_id)
    return false()


def can_see(session: Session, caller: Caller, record: ReviewRecord) -> bool:
    if caller.is_platform:
        return True
    if caller.is_clinic:
        return caller.tenant_id is not None and record.tenant_id == caller.tenant_id
    if caller.role == Role.PHARMACIST.value:
        return record.tenant_id is None or record.tenant_id in tenant_service.pharmacist_tenant_ids(
            session, caller.user_id)
    if caller.role == Role.DOCTOR.value:
        return caller.user_id in (record.submitted_by_user_id, record.doctor_user_id)
    return False


def get_visible_review(session: Session, caller: Caller, review_id: int, *, for_update: bool = False) -> ReviewRecord:
    """Another tenant's review answers exactly like a missing one: 404, never 403 (no existence leak)."""
    if for_update:
        record = session.execute(select(ReviewRecord).where(ReviewRecord.id == review_id).with_for_update()
                                 ).scalar_one_or_none()
    else:
        record = session.get(ReviewRecord, review_id)
    if record is None or not can_see(session, caller, record):
        raise NotFound("审方记录不存在 / review not found", code="review-not-found")
    return record


def tenant_scope(session: Session, caller: Caller, tenant_id: int | None) -> int | None:
    """The tenant a usage/stats query covers: clinics are pinned to their own; platform users choose."""
    if caller.is_clinic:
        if caller.tenant_id is None:
            raise Forbidden("当前账户不属于任何租户 / this account belongs to no tenant", code="no-tenant")
        if tenant_id is not None and tenant_id != caller.tenant_id:
            raise NotFound("租户不存在 / tenant not found", code="tenant-not-found")
        return caller.tenant_id
    if tenant_id is not None:
        if caller.is_platform or (caller.role == Role.PHARMACIST.value and tenant_id in
                                  tenant_service.pharmacist_tenant_ids(session, caller.user_id)):
            return tenant_service.get_tenant(session, tenant_id).id
        raise NotFound("租户不存在 / tenant not found", code="tenant-not-found")
    return None


def manageable_tenant(session: Session, caller: Caller, tenant_id: int) -> Tenant:
    """Operators and admins manage every tenant; a clinic admin only its own (others look missing)."""
    if caller.is_platform or (caller.role == Role.CLINIC_ADMIN.value and caller.tenant_id == tenant_id):
        return tenant_service.get_tenant(session, tenant_id)
    if caller.role == Role.CLINIC_ADMIN.value:
        raise NotFound("租户不存在 / tenant not found", code="tenant-not-found")
    raise Forbidden("当前角色无权管理租户 / your role may not manage tenants", code="forbidden-role")
