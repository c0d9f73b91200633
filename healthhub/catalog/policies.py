"""Who may do what in the catalogue beyond a route's roles: pure decisions about the caller (no database)."""
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

CATALOG_STAFF = frozenset({Role.OPERATOR, Role.ADMIN})


def can_see_unsellable_products(principal: Principal | None) -> bool:
    """Operators and admins see, and list, products that may not be sold online; the storefront never does."""
    return principal is not None and principal.role in CATALOG_STAFF
