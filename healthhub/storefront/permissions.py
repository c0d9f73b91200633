"""Storefront routes that need no login (every other route states its roles on the route itself)."""
from healthhub.core.permissions import PUBLIC, Access, RouteKey

# The storefront is open to browsing; an Rx drug's insert and buy option still need the caller's
# approved prescription (OD-03), and unsellable products stay hidden from everyone but staff.
OPEN_ROUTES: dict[RouteKey, Access] = {
    ("GET", "/api/v1/catalog/products/{product_id}"): PUBLIC,
    ("GET", "/shop"): PUBLIC,
    ("GET", "/shop/products/{product_id}"): PUBLIC,
}
