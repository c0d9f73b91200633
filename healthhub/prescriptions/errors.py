"""The prescriptions domain's error codes: stable, machine-readable slugs that clients may branch on (the
problem+json `code`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    RX_ALREADY_USED = "rx-already-used"
    RX_CONSULTATION_CHANGED = "rx-consultation-changed"
    RX_DRUG_NOT_COVERED = "rx-drug-not-covered"
    RX_EXPIRED = "rx-expired"
    RX_FORBIDDEN = "rx-forbidden"
    RX_NOTHING_TO_CLAIM = "rx-nothing-to-claim"
    RX_NOT_APPROVED = "rx-not-approved"
    RX_NOT_DRAFT = "rx-not-draft"
    RX_NOT_FOUND = "rx-not-found"
    RX_NOT_RETURNED = "rx-not-returned"
    RX_NOT_UNDER_REVIEW = "rx-not-under-review"
    RX_NOT_YOURS = "rx-not-yours"
    RX_NO_CONFIRMATION_PENDING = "rx-no-confirmation-pending"
    RX_OTHER_ACCOUNT = "rx-other-account"
    RX_PRESCRIBER_NOT_ALLOWED = "rx-prescriber-not-allowed"
    RX_QUANTITY_EXCEEDED = "rx-quantity-exceeded"
    RX_RULES_FAILED = "rx-rules-failed"
    RX_SIGNATURE_INVALID = "rx-signature-invalid"
    RX_SIGN_UNCONFIRMED = "rx-sign-unconfirmed"
    RX_UNKNOWN_REVIEW_OUTCOME = "rx-unknown-review-outcome"
    UNDER6_CONFIRMATION_REQUIRED = "under6-confirmation-required"
