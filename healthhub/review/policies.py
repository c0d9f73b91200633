"""Who may do what in the review service: the caller, and pure decisions about it (no database).

A caller is a signed-in user (a role) or a tenant's API key (role `api_key`), with the tenants it acts in
looked up once when it is identified (access.user_caller, deps). Isolation between tenants is decided
here, in one place: a clinic (key or clinic admin) reaches only its own tenant, a pharmacist the platform
queue plus assigned tenants, a doctor the reviews of their own prescriptions, operators and admins
everything. Whoever loads a review or tenant asks these and answers 404 when the answer is no.
"""
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from healthhub.identity.roles import Role
from healthhub.review.models import ReviewRecord

API_KEY_ROLE = "api_key"
PLATFORM_ROLES = frozenset({Role.ADMIN.value, Role.OPERATOR.value})
CLINIC_ROLES = frozenset({API_KEY_ROLE, Role.CLINIC_ADMIN.value})


@dataclass(frozen=True)
class Caller:
    role: str  # a Role value, or "api_key"
    user_id: int | None = None
    tenant_id: int | None = None  # the clinic acting: from the API key or the clinic admin's membership
    api_key_id: int | None = None
    assigned_tenant_ids: frozenset[int] = frozenset()  # a pharmacist's clinics, besides the platform queue

    @property
    def is_platform(self) -> bool:
        return self.role in PLATFORM_ROLES

    @property
    def is_clinic(self) -> bool:
        return self.role in CLINIC_ROLES


def can_see_review(caller: Caller, record: ReviewRecord) -> bool:
    if caller.is_platform:
        return True
    if caller.is_clinic:
        return caller.tenant_id is not None and record.tenant_id == caller.tenant_id
    if caller.role == Role.PHARMACIST:
        return record.tenant_id is None or record.tenant_id in caller.assigned_tenant_ids
    if caller.role == Role.DOCTOR:
        return caller.user_id in (record.submitted_by_user_id, record.doctor_user_id)
    return False


def visible_reviews(caller: Caller) -> ColumnElement[bool]:
    """`can_see_review` as a filter for lists and counts; the two must admit the same rows."""
    if caller.is_platform:
        return true()
    if caller.is_clinic:
        return ReviewRecord.tenant_id == caller.tenant_id if caller.tenant_id is not None else false()
    if caller.role == Role.PHARMACIST:
        return or_(ReviewRecord.tenant_id.is_(None), ReviewRecord.tenant_id.in_(caller.assigned_tenant_ids))
    if caller.role == Role.DOCTOR:
        return or_(ReviewRecord.submitted_by_user_id == caller.user_id, ReviewRecord.doctor_user_id == caller.user_id)
    return false()


def can_decide_reviews(caller: Caller) -> bool:
    """Approving, returning and asking the prescriber are a pharmacist's acts, signed with their own key."""
    return caller.role == Role.PHARMACIST


def can_see_tenant_usage(caller: Caller, tenant_id: int) -> bool:
    """Usage and SLA of one clinic: the platform, the clinic itself, its assigned pharmacists."""
    if caller.is_platform:
        return True
    if caller.is_clinic:
        return caller.tenant_id == tenant_id
    return caller.role == Role.PHARMACIST and tenant_id in caller.assigned_tenant_ids


def can_manage_tenant(caller: Caller, tenant_id: int) -> bool:
    """Operators and admins manage every tenant; a clinic admin only its own."""
    return caller.is_platform or (caller.role == Role.CLINIC_ADMIN and caller.tenant_id == tenant_id)


def can_change_tenant_status(caller: Caller) -> bool:
    # Suspending a clinic is the platform's decision (contracts, billing), not the clinic's.
    return caller.is_platform


def can_appoint_member(caller: Caller, role: str) -> bool:
    """A clinic admin adds its pharmacists; only the platform appoints clinic admins."""
    return role != Role.CLINIC_ADMIN or caller.is_platform


def can_join_tenant_as(account_role: str, member_role: str) -> bool:
    """An account joins a clinic only in its own role: a pharmacist account as its pharmacist, and so on."""
    return account_role == member_role
