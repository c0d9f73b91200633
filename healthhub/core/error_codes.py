"""The core domain's error codes: stable, machine-readable slugs that clients may branch on (the
problem+json `code`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_ICD10 = "bad-icd10"
    BAD_IMAGE = "bad-image"
    BAD_IMAGE_TYPE = "bad-image-type"
    DATABASE_LOCKED = "database-locked"
    FORBIDDEN_ROLE = "forbidden-role"
    IDEMPOTENCY_IN_PROGRESS = "idempotency-in-progress"
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused"
    IMAGE_TOO_LARGE = "image-too-large"
    SERVER_BUSY = "server-busy"
    UNSTORABLE_INPUT = "unstorable-input"
