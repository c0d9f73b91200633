"""Review policies: tenant isolation and who may decide, as pure decisions over the caller and its scopes.
(The same isolation through the HTTP API, with the list filter `visible_reviews`: test_isolation.py.)"""
import pytest

from healthhub.identity.roles import Role
from healthhub.review.models import ReviewRecord
from healthhub.review.policies import (API_KEY_ROLE, Caller, can_appoint_member, can_change_tenant_status,
                                       can_decide_reviews, can_join_tenant_as, can_manage_tenant, can_see_review,
                                       can_see_tenant_usage)

OWN, OTHER, ASSIGNED = 1, 2, 3
DOCTOR_USER, SUBMITTER = 91, 92


def record(tenant_id: int | None, *, submitted_by: int | None = None, doctor: int | None = None) -> ReviewRecord:
    return ReviewRecord(tenant_id=tenant_id, submitted_by_user_id=submitted_by, doctor_user_id=doctor)


KEY = Caller(role=API_KEY_ROLE, tenant_id=OWN, api_key_id=5)
CLINIC_ADMIN = Caller(role=Role.CLINIC_ADMIN.value, user_id=93, tenant_id=OWN)
ORPHAN_ADMIN = Caller(role=Role.CLINIC_ADMIN.value, user_id=94)  # a clinic admin no tenant has taken on
PHARMACIST = Caller(role=Role.PHARMACIST.value, user_id=95, assigned_tenant_ids=frozenset({ASSIGNED}))
DOCTOR = Caller(role=Role.DOCTOR.value, user_id=DOCTOR_USER)
OPERATOR = Caller(role=Role.OPERATOR.value, user_id=96)


@pytest.mark.parametrize("clinic", [KEY, CLINIC_ADMIN], ids=["api_key", "clinic_admin"])
def test_a_clinic_sees_its_own_tenants_reviews_only(clinic):
    assert can_see_review(clinic, record(OWN))
    assert not can_see_review(clinic, record(OTHER))
    assert not can_see_review(clinic, record(None))


def test_a_clinic_admin_without_a_tenant_sees_no_review():
    assert not can_see_review(ORPHAN_ADMIN, record(OWN))
    assert not can_see_review(ORPHAN_ADMIN, record(None))


def test_a_pharmacist_sees_the_platform_queue_and_assigned_clinics():
    assert can_see_review(PHARMACIST, record(None))
    assert can_see_review(PHARMACIST, record(ASSIGNED))
    assert not can_see_review(PHARMACIST, record(OTHER))


def test_a_doctor_sees_reviews_they_submitted_or_prescribed():
    assert can_see_review(DOCTOR, record(None, doctor=DOCTOR_USER))
    assert can_see_review(DOCTOR, record(OWN, submitted_by=DOCTOR_USER))
    assert not can_see_review(DOCTOR, record(None, submitted_by=SUBMITTER, doctor=SUBMITTER))


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_the_platform_sees_every_review(role):
    caller = Caller(role=role.value, user_id=97)
    assert caller.is_platform and not caller.is_clinic
    assert can_see_review(caller, record(OTHER)) and can_see_review(caller, record(None))


def test_other_roles_see_no_review():
    assert not can_see_review(Caller(role=Role.NURSE.value, user_id=DOCTOR_USER), record(None, doctor=DOCTOR_USER))


def test_only_pharmacists_decide():
    assert can_decide_reviews(PHARMACIST)
    assert not any(can_decide_reviews(c) for c in (KEY, CLINIC_ADMIN, DOCTOR, OPERATOR))


def test_tenant_usage_reaches_the_platform_the_clinic_and_its_pharmacists():
    assert can_see_tenant_usage(OPERATOR, OTHER)
    assert can_see_tenant_usage(KEY, OWN) and not can_see_tenant_usage(KEY, OTHER)
    assert can_see_tenant_usage(PHARMACIST, ASSIGNED) and not can_see_tenant_usage(PHARMACIST, OTHER)
    assert not can_see_tenant_usage(DOCTOR, OWN)


def test_a_clinic_admin_manages_its_own_tenant_and_the_platform_every_tenant():
    assert can_manage_tenant(CLINIC_ADMIN, OWN) and not can_manage_tenant(CLINIC_ADMIN, OTHER)
    assert not can_manage_tenant(ORPHAN_ADMIN, OWN)
    assert can_manage_tenant(OPERATOR, OTHER)
    # A key acts for its clinic in reviews, but managing the clinic is a person's job.
    assert not can_manage_tenant(KEY, OWN)
    assert not can_manage_tenant(PHARMACIST, ASSIGNED)


def test_only_the_platform_suspends_tenants_and_appoints_clinic_admins():
    assert can_change_tenant_status(OPERATOR) and not can_change_tenant_status(CLINIC_ADMIN)
    assert can_appoint_member(OPERATOR, Role.CLINIC_ADMIN.value)
    assert not can_appoint_member(CLINIC_ADMIN, Role.CLINIC_ADMIN.value)
    assert can_appoint_member(CLINIC_ADMIN, Role.PHARMACIST.value)


def test_an_account_joins_a_tenant_only_in_its_own_role():
    assert can_join_tenant_as(Role.PHARMACIST.value, Role.PHARMACIST.value)
    assert not can_join_tenant_as(Role.DOCTOR.value, Role.PHARMACIST.value)
    assert not can_join_tenant_as(Role.PHARMACIST.value, Role.CLINIC_ADMIN.value)
