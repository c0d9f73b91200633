"""Whose stock locations a caller may see and book stock into: pure decisions (no database).

Another owner's location answers 404, like a missing one, so location ids cannot be probed.
"""
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.inventory.models import Location

STOCK_OPERATORS = frozenset({Role.OPERATOR, Role.ADMIN})


def can_see_every_location(principal: Principal) -> bool:
    """Operators and admins run every warehouse and store; merchants and partner pharmacies only their own."""
    return principal.role in STOCK_OPERATORS


def can_manage_location(principal: Principal, location: Location) -> bool:
    return can_see_every_location(principal) or location.owner_user_id == principal.id
