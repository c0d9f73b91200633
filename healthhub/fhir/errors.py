"""The fhir domain's error codes: stable, machine-readable slugs that clients may branch on (the
OperationOutcome issue's `details.coding`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    FHIR_INVALID_PARAMETER = "fhir-invalid-parameter"
    FHIR_NOT_FOUND = "fhir-not-found"
    FHIR_UNSUPPORTED_FORMAT = "fhir-unsupported-format"
    FHIR_UNSUPPORTED_PARAMETER = "fhir-unsupported-parameter"
