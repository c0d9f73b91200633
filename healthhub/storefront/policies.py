"""Who may do what on the storefront beyond a route's roles: pure decisions about the caller (no database)."""
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal


def can_buy_with_prescription(principal: Principal | None) -> bool:
    """Prescriptions belong to patient accounts: only they unlock an Rx drug's insert and buy button (OD-03)."""
    return principal is not None and principal.role == Role.PATIENT
