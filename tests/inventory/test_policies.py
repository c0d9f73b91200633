"""Inventory policies: merchants and partner pharmacies reach their own locations, operators every one."""
import pytest

from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.inventory.models import Location
from healthhub.inventory.policies import can_manage_location, can_see_every_location

OWNER, RIVAL = 81, 82
STORE = Location(kind="merchant", owner_user_id=OWNER)
WAREHOUSE = Location(kind="warehouse", owner_user_id=None)


def principal(role: Role, user_id: int) -> Principal:
    return Principal(id=user_id, username=f"u{user_id}", display_name=role.value, role=role)


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.PARTNER_PHARMACY])
def test_an_owner_manages_its_own_location_and_not_a_rivals(role):
    assert can_manage_location(principal(role, OWNER), STORE)
    assert not can_manage_location(principal(role, RIVAL), STORE)
    assert not can_manage_location(principal(role, OWNER), WAREHOUSE)
    assert not can_see_every_location(principal(role, OWNER))


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_operators_manage_every_location(role):
    assert can_see_every_location(principal(role, RIVAL))
    assert can_manage_location(principal(role, RIVAL), STORE)
    assert can_manage_location(principal(role, RIVAL), WAREHOUSE)
