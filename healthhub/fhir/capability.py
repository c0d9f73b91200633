"""The CapabilityStatement (GET /fhir/metadata), read from the routes themselves and the search parameter
table the searches enforce, so it cannot claim an interaction or parameter the server does not serve."""
from fastapi.routing import APIRoute
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from healthhub.fhir.search import FHIR_PREFIX, MAX_PAGE_SIZE, SEARCH_PARAMETERS

FHIR_VERSION = "4.0.1"  # R4
# When what this statement describes last changed (FHIR: CapabilityStatement.date).
STATEMENT_DATE = "2026-12-07"
DOCUMENTATION = (
    "HealthHub FHIR R4 只读接口 / read-only API. 未知或重复的参数返回 400 OperationOutcome / unknown or repeated "
    f"parameters are refused with 400. 检索结果分页 / searches are paged: _count (≤ {MAX_PAGE_SIZE}), _offset. "
    "仅 JSON / JSON only (_format=json). 封存患者不公开 / sealed patients are not exposed.")


def interactions(routes: list[APIRoute]) -> dict[str, list[str]]:
    """Resource type -> FHIR interactions, from the GET routes under /fhir: /<Type>/{id} reads, /<Type> searches."""
    served: dict[str, list[str]] = {}
    for route in routes:
        if "GET" not in route.methods or not route.path.startswith(FHIR_PREFIX + "/"):
            continue
        resource_type, _, rest = route.path.removeprefix(FHIR_PREFIX + "/").partition("/")
        if resource_type == "metadata":
            continue
        served.setdefault(resource_type, []).append("read" if rest else "search-type")
    return {kind: sorted(served[kind]) for kind in sorted(served)}


def capability_statement(routes: list[APIRoute], *, public_url: str, software_version: str) -> CapabilityStatement:
    resources = []
    for resource_type, codes in interactions(routes).items():
        resource = {"type": resource_type, "profile": f"http://hl7.org/fhir/StructureDefinition/{resource_type}",
                    "interaction": [{"code": code} for code in codes], "versioning": "no-version",
                    "readHistory": False, "conditionalRead": "not-supported"}
        if "search-type" in codes:
            resource["searchParam"] = [{"name": p.name, "type": p.type, "definition": p.definition,
                                        "documentation": p.documentation} for p in SEARCH_PARAMETERS[resource_type]]
        resources.append(resource)
    return CapabilityStatement(
        url=f"{public_url.rstrip('/')}{FHIR_PREFIX}/metadata", name="HealthHubFhirServer",
        title="HealthHub FHIR R4 服务能力声明", status="active", experimental=False, date=STATEMENT_DATE,
        publisher="HealthHub", kind="instance", fhirVersion=FHIR_VERSION, format=["json"],
        software={"name": "HealthHub", "version": software_version},
        implementation={"description": "HealthHub FHIR R4", "url": f"{public_url.rstrip('/')}{FHIR_PREFIX}"},
        rest=[{"mode": "server", "documentation": DOCUMENTATION, "resource": resources,
               # Our own bearer tokens, not SMART on FHIR or OAuth: restful-security-service has no code for them.
               "security": {"cors": False, "service": [{"text": "Bearer token (POST /api/v1/auth/token)"}],
                            "description": "Authorization: Bearer <登录令牌 / access token>"}}])
