"""Identity routes that need no login (every other route states its roles on the route itself)."""
from healthhub.core.permissions import PUBLIC, Access, RouteKey

OPEN_ROUTES: dict[RouteKey, Access] = {
    ("POST", "/api/v1/auth/token"): PUBLIC,  # logging in; throttled per IP and locked per account
    ("POST", "/api/v1/auth/refresh"): PUBLIC,  # the refresh token in the body is the credential
    ("GET", "/"): PUBLIC,  # redirects to /home or /login
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
}
