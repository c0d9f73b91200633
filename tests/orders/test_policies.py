"""Order policies: buyers see their own orders, staff every order; uploads reach their uploader and pharmacists."""
import pytest

from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.orders.models import Order, RxUpload
from healthhub.orders.policies import (can_manage_orders, can_review_rx_uploads, can_see_every_order, can_see_order,
                                       can_see_rx_upload, can_upload_prescriptions, is_buyer)

BUYER, STRANGER = 11, 12


def principal(role: Role, user_id: int = STRANGER) -> Principal:
    return Principal(id=user_id, username=f"u{user_id}", display_name=role.value, role=role)


def test_the_buyer_sees_the_order_and_another_patient_does_not():
    order = Order(buyer_id=BUYER)
    assert is_buyer(principal(Role.PATIENT, BUYER), order)
    assert can_see_order(principal(Role.PATIENT, BUYER), order)
    assert not can_see_order(principal(Role.PATIENT, STRANGER), order)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN, Role.PHARMACIST])
def test_staff_see_every_order(role):
    assert can_see_every_order(principal(role))
    assert can_see_order(principal(role), Order(buyer_id=BUYER))


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.DOCTOR, Role.PARTNER_PHARMACY])
def test_other_roles_see_no_one_elses_order(role):
    assert not can_see_every_order(principal(role))
    assert not can_see_order(principal(role), Order(buyer_id=BUYER))


def test_only_operators_and_admins_manage_orders():
    assert can_manage_orders(principal(Role.OPERATOR))
    assert can_manage_orders(principal(Role.ADMIN))
    assert not can_manage_orders(principal(Role.PHARMACIST))
    assert not can_manage_orders(principal(Role.PATIENT, BUYER))


def test_an_upload_reaches_its_uploader_and_pharmacists_only():
    upload = RxUpload(patient_id=BUYER)
    assert can_see_rx_upload(principal(Role.PATIENT, BUYER), upload)
    assert can_see_rx_upload(principal(Role.PHARMACIST), upload)
    assert not can_see_rx_upload(principal(Role.PATIENT, STRANGER), upload)
    assert not can_see_rx_upload(principal(Role.OPERATOR), upload)


@pytest.mark.parametrize(("role", "uploads", "reviews"), [(Role.PATIENT, True, False), (Role.PHARMACIST, False, True),
                                                       (Role.DOCTOR, False, False)])
def test_patients_upload_and_pharmacists_review(role, uploads, reviews):
    assert can_upload_prescriptions(principal(role)) is uploads
    assert can_review_rx_uploads(principal(role)) is reviews
