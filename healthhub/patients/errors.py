"""The patients domain's error codes: stable, machine-readable slugs that clients may branch on (the
problem+json `code`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_CONDITION = "bad-condition"
    BAD_ID_NUMBER = "bad-id-number"
    BAD_NAME = "bad-name"
    BAD_PREGNANCY = "bad-pregnancy"
    BAD_RECORD_DATE = "bad-record-date"
    BAD_RECORD_TYPE = "bad-record-type"
    BAD_RELATIONSHIP = "bad-relationship"
    BAD_WEIGHT = "bad-weight"
    FAMILY_MEMBERS_REMAIN = "family-members-remain"
    GUARDIAN_PROFILE_REQUIRED = "guardian-profile-required"
    GUARDIAN_REQUIRED = "guardian-required"
    IMAGE_NOT_FOUND = "image-not-found"
    MINOR_ACCOUNT_HOLDER = "minor-account-holder"
    NO_CONSENT = "no-consent"
    PATIENT_EXISTS = "patient-exists"
    PATIENT_NOT_FOUND = "patient-not-found"
    REAL_NAME_MISMATCH = "real-name-mismatch"
    RECORD_INCOMPLETE = "record-incomplete"
    RECORD_NOT_FOUND = "record-not-found"
    SEALED_NOT_FOUND = "sealed-not-found"
    SELF_EXISTS = "self-exists"
