"""Catalogue policies: who sees products that may not be sold online."""
import pytest

from healthhub.catalog.policies import can_see_unsellable_products
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal


def principal(role: Role) -> Principal:
    return Principal(id=7, username=f"u-{role}", display_name=role.value, role=role)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_catalogue_staff_see_unsellable_products(role):
    assert can_see_unsellable_products(principal(role))


@pytest.mark.parametrize("role", [Role.PATIENT, Role.MERCHANT, Role.PHARMACIST, Role.DOCTOR])
def test_everyone_else_sees_only_the_storefront(role):
    assert not can_see_unsellable_products(principal(role))


def test_an_anonymous_shopper_sees_only_the_storefront():
    assert not can_see_unsellable_products(None)
