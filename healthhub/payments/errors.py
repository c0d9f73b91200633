"""The payments domain's error codes: stable, machine-readable slugs that clients may branch on (the
problem+json `code`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_CALLBACK = "bad-callback"
    BAD_SIGNATURE = "bad-signature"
    INTENT_NOT_PAYABLE = "intent-not-payable"
    NOTHING_TO_PAY = "nothing-to-pay"
    PAYMENT_NOT_FOUND = "payment-not-found"
    REFUND_EXCEEDS_CAPTURED = "refund-exceeds-captured"
    STALE_SIGNATURE = "stale-signature"
    UNKNOWN_PROVIDER = "unknown-provider"
