"""Payment routes that need no HealthHub login (the routes that start a payment belong to the payables'
domains and state their roles there)."""
from healthhub.core.permissions import PUBLIC, SIGNED_CALLBACK, Access, RouteKey

OPEN_ROUTES: dict[RouteKey, Access] = {
    # The payment provider calls us; it proves itself with its signature over the body.
    ("POST", "/api/v1/payments/callbacks/{provider}"): SIGNED_CALLBACK,
    # The sandbox provider's hosted pay page stands in for a real provider's page, which has no HealthHub login:
    # the random intent id (pi_ + 144 bits) in the link the payer is redirected to is the capability.
    ("GET", "/pay/sandbox/{intent_id}"): PUBLIC,
    ("POST", "/pay/sandbox/{intent_id}"): PUBLIC,
}
