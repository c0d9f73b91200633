"""Errors under /fhir as FHIR R4 OperationOutcome (application/fhir+json), the shape FHIR clients parse,
instead of the problem+json the rest of the platform answers. Installed for the /fhir prefix through
`core.errors.render_errors_under`, so every failure there (404, 401, 403, 400, 422, 500, ...) takes it."""
from typing import Any

from fhir.resources.R4B.operationoutcome import OperationOutcome

from healthhub.fhir.errors import ErrorCode

FHIR_JSON = "application/fhir+json"
# Our stable error slugs (the problem+json `code` elsewhere), carried as the issue's coded details.
ERROR_CODE_SYSTEM = "https://healthhub.dev/problems"

# FHIR issue types (http://hl7.org/fhir/issue-type): by our code where it says more than the status does.
_ISSUE_TYPE_BY_CODE = {
    ErrorCode.FHIR_UNSUPPORTED_PARAMETER: "not-supported",
    ErrorCode.FHIR_UNSUPPORTED_FORMAT: "not-supported",
    ErrorCode.FHIR_INVALID_PARAMETER: "invalid",
}
_ISSUE_TYPE_BY_STATUS = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
                         406: "not-supported", 409: "conflict", 422: "invalid", 429: "throttled", 503: "transient"}


def issue_type(status: int, code: str) -> str:
    if code in _ISSUE_TYPE_BY_CODE:
        return _ISSUE_TYPE_BY_CODE[code]
    return _ISSUE_TYPE_BY_STATUS.get(status, "exception" if status >= 500 else "processing")


def operation_outcome(status: int, title: str, detail: str, code: str, extra: dict[str, Any]) -> OperationOutcome:
    severity = "fatal" if status >= 500 else "error"
    issues = [{"severity": severity, "code": issue_type(status, code),
               "details": {"coding": [{"system": ERROR_CODE_SYSTEM, "code": code, "display": title}],
                           "text": detail}}]
    # A refused input names each field, as problem+json's `errors` does.
    issues += [{"severity": "error", "code": "invalid", "diagnostics": f"{e['field']}：{e['message']}",
                "expression": [e["field"]]} for e in extra.get("errors", [])]
    if extra.get("request_id"):
        issues[0]["diagnostics"] = f"request id {extra['request_id']}"  # what support asks for
    return OperationOutcome(issue=issues)


def operation_outcome_body(status: int, title: str, detail: str, code: str,
                           extra: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`core.errors.ErrorBody` for the /fhir prefix."""
    return operation_outcome(status, title, detail, code, extra).model_dump(mode="json", exclude_none=True), FHIR_JSON
