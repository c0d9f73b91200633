"""FHIR request parameters: which ones each route understands, strictly checked, and searchset paging.

FHIR lets a server ignore a parameter it does not know, which leaves an integrator believing a filter was
applied. We refuse instead (400 OperationOutcome, issue type not-supported) and say in the
CapabilityStatement which parameters each search takes: `SEARCH_PARAMETERS` is read by both.
"""
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from healthhub.core.errors import AppError, NotFound
from healthhub.core.public_ids import PUBLIC_ID_PATTERN, decode
from healthhub.fhir.errors import ErrorCode

FHIR_PREFIX = "/fhir"
PUBLIC_ID = PUBLIC_ID_PATTERN.strip("^$")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 100
# _format values that name JSON (http://hl7.org/fhir/R4/http.html#mime-type); XML and Turtle are not served.
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
RESULT_PARAMETERS = ("_count", "_offset")  # _offset: the page links we write carry it
METADATA_PARAMETERS = ("_format", "mode")


@dataclass(frozen=True)
class SearchParameter:
    name: str
    type: str  # FHIR search parameter type
    definition: str  # the HL7 SearchParameter it implements
    documentation: str


PATIENT = SearchParameter("patient", "reference", "http://hl7.org/fhir/SearchParameter/clinical-patient",
                          "必填 / required: Patient/<id> 或 <id>")
SEARCH_PARAMETERS: dict[str, tuple[SearchParameter, ...]] = {
    "Encounter": (PATIENT,), "Condition": (PATIENT,), "MedicationRequest": (PATIENT,)}


@dataclass(frozen=True)
class SearchQuery:
    patient_id: int
    patient_reference: str  # as written back into page links: Patient/<public id>
    count: int
    offset: int


def unsupported(detail: str) -> AppError:
    return AppError(detail, code=ErrorCode.FHIR_UNSUPPORTED_PARAMETER, status=400, title="不支持的参数")


def invalid(detail: str) -> AppError:
    return AppError(detail, code=ErrorCode.FHIR_INVALID_PARAMETER, status=400, title="参数无效")


def allowed_parameters(route_path: str) -> tuple[str, ...]:
    target = route_path.removeprefix(FHIR_PREFIX + "/")
    if target in SEARCH_PARAMETERS:
        return (*(p.name for p in SEARCH_PARAMETERS[target]), *RESULT_PARAMETERS, "_format")
    return METADATA_PARAMETERS if target == "metadata" else ("_format",)


def refuse_unsupported_parameters(request: Request) -> None:
    """Router dependency of /fhir: every parameter is one the route understands, given once; _format is JSON."""
    allowed = allowed_parameters(request.scope["route"].path)
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise unsupported(f"不支持的参数 / unsupported parameter: {', '.join(unknown)}; "
                          f"支持 / supported: {', '.join(allowed)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise unsupported(f"参数重复 / parameter given more than once: {', '.join(repeated)}")
    requested_format = request.query_params.get("_format")
    if requested_format is not None and requested_format.split(";")[0].strip() not in JSON_FORMATS:
        raise AppError(f"仅支持 JSON / only JSON is served: _format={requested_format}",
                       code=ErrorCode.FHIR_UNSUPPORTED_FORMAT, status=406, title="不支持的格式")
    if request.query_params.get("mode", "full") != "full":
        raise unsupported("仅支持 mode=full / only mode=full is supported")


def _bounded_int(request: Request, name: str, default: int, highest: int | None) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"\d{1,6}", text):
        raise invalid(f"{name} 须为非负整数 / {name} must be a non-negative integer")
    # FHIR lets the server return fewer than _count asks for: a larger page is capped, never refused.
    return min(int(text), highest) if highest is not None else int(text)


def search_query(request: Request) -> SearchQuery:
    """The patient every search is scoped to (Patient/<public id> or <public id>) and the page asked for."""
    reference = request.query_params.get("patient")
    if reference is None:
        raise invalid("缺少必填参数 patient / the patient parameter is required")
    match = re.fullmatch(f"(?:Patient/)?({PUBLIC_ID})", reference)
    if not match:
        raise invalid("patient 须为 Patient/<id> / patient must be Patient/<id>")
    patient_id = decode(match[1])
    if patient_id is None:
        raise NotFound("资源不存在 / resource not found", code=ErrorCode.FHIR_NOT_FOUND)
    return SearchQuery(patient_id=patient_id, patient_reference=f"Patient/{match[1]}",
                       count=_bounded_int(request, "_count", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
                       offset=_bounded_int(request, "_offset", 0, None))


def searchset(public_url: str, resource_type: str, query: SearchQuery, resources: list[Resource]) -> Bundle:
    """One page of a search: `total` counts every match; `next`/`previous` links walk the rest."""
    base = public_url.rstrip("/") + FHIR_PREFIX

    def page_url(offset: int) -> str:
        params = {"patient": query.patient_reference, "_count": query.count, "_offset": offset}
        return f"{base}/{resource_type}?{urlencode(params)}"

    links = [{"relation": "self", "url": page_url(query.offset)}]
    if query.count and query.offset + query.count < len(resources):
        links.append({"relation": "next", "url": page_url(query.offset + query.count)})
    if query.count and query.offset > 0:
        links.append({"relation": "previous", "url": page_url(max(query.offset - query.count, 0))})
    page = resources[query.offset:query.offset + query.count]
    return Bundle(type="searchset", total=len(resources), link=links,
                  entry=[{"fullUrl": f"{base}/{r.get_resource_type()}/{r.id}", "resource": r,
                          "search": {"mode": "match"}} for r in page] or None)
