"""Identifying a review caller and loading what it may reach: the database half of review/policies.py.

Another tenant's review or tenant answers exactly like a missing one: 404, never 403 (no existence leak).
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core.errors import Forbidden, NotFound
from healthhub.identity.roles import Role
from healthhub.review import policies
from healthhub.review import tenants as tenant_service
from healthhub.review.errors import ErrorCode
from healthhub.review.models import ReviewRecord, Tenant
from healthhub.review.policies import Caller


def user_caller(session: Session, *, user_id: int, role: Role) -> Caller:
    """A signed-in user as a review caller, with the tenants it acts in looked up once."""
    if role == Role.CLINIC_ADMIN:
        return Caller(role=role.value, user_id=user_id,
                      tenant_id=tenant_service.clinic_admin_tenant_id(session, user_id=user_id))
    if role == Role.PHARMACIST:
        return Caller(role=role.value, user_id=user_id,
                      assigned_tenant_ids=frozenset(tenant_service.pharmacist_tenant_ids(session, user_id=user_id)))
    return Caller(role=role.value, user_id=user_id)


def get_visible_review(session: Session, caller: Caller, review_id: int, *, for_update: bool = False) -> ReviewRecord:
    if for_update:
        record = session.execute(select(ReviewRecord).where(ReviewRecord.id == review_id).with_for_update()
                                 ).scalar_one_or_none()
    else:
        record = session.get(ReviewRecord, review_id)
    if record is None or not policies.can_see_review(caller, record):
        raise NotFound("审方记录不存在 / review not found", code=ErrorCode.REVIEW_NOT_FOUND)
    return record


def tenant_scope(session: Session, caller: Caller, tenant_id: int | None) -> int | None:
    """The tenant a usage/stats query covers: clinics are pinned to their own; platform users choose."""
    if caller.is_clinic and caller.tenant_id is None:
        raise Forbidden("当前账户不属于任何租户 / this account belongs to no tenant", code=ErrorCode.NO_TENANT)
    if tenant_id is not None and not policies.can_see_tenant_usage(caller, tenant_id):
        raise NotFound("租户不存在 / tenant not found", code=ErrorCode.TENANT_NOT_FOUND)
    if caller.is_clinic:
        return caller.tenant_id
    return None if tenant_id is None else tenant_service.get_tenant(session, tenant_id=tenant_id).id


def manageable_tenant(session: Session, caller: Caller, tenant_id: int) -> Tenant:
    """The tenant if the caller manages it; the route admits tenant managers only, so others look missing."""
    if not policies.can_manage_tenant(caller, tenant_id):
        raise NotFound("租户不存在 / tenant not found", code=ErrorCode.TENANT_NOT_FOUND)
    return tenant_service.get_tenant(session, tenant_id=tenant_id)
