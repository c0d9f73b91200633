"""Family-doctor routes that need no login (every other route states its roles on the route itself)."""
from healthhub.core.permissions import PUBLIC, Access, RouteKey

OPEN_ROUTES: dict[RouteKey, Access] = {
    ("GET", "/api/v1/family-doctor/packages"): PUBLIC,  # the active packages on offer, like a price list
}
