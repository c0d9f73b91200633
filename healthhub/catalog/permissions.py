"""Catalogue routes that need no login (every other route states its roles on the route itself)."""
from healthhub.core.permissions import PUBLIC, Access, RouteKey

# Searching the catalogue is open to browsing, as the storefront is; unsellable products stay hidden from
# everyone but staff. (The storefront's own open routes are in healthhub/storefront/permissions.py.)
OPEN_ROUTES: dict[RouteKey, Access] = {
    ("GET", "/api/v1/catalog/search"): PUBLIC,
}
