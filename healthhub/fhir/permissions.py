"""FHIR routes that need no login (every other /fhir route states its audience on the route itself)."""
from healthhub.core.permissions import PUBLIC, Access, RouteKey

# The CapabilityStatement says what the server supports and how to authenticate: FHIR clients fetch it before
# they have a token (http://hl7.org/fhir/R4/http.html#capabilities). It names no person and no record.
OPEN_ROUTES: dict[RouteKey, Access] = {
    ("GET", "/fhir/metadata"): PUBLIC,
}
