"""The identity domain's error codes: stable, machine-readable slugs that clients may branch on (the
problem+json `code`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    ACCOUNT_DISABLED = "account-disabled"
    ACCOUNT_LOCKED = "account-locked"
    BAD_CREDENTIALS = "bad-credentials"
    BAD_TOKEN = "bad-token"
    CSRF_FAILED = "csrf-failed"
    ID_NUMBER_TAKEN = "id-number-taken"
    LOGIN_RATE_LIMITED = "login-rate-limited"
    MOBILE_TAKEN = "mobile-taken"
    PASSWORD_CONTAINS_USERNAME = "password-contains-username"
    PASSWORD_TOO_COMMON = "password-too-common"
    PASSWORD_TOO_SHORT = "password-too-short"
    TOKEN_EXPIRED = "token-expired"
    TOKEN_REUSED = "token-reused"
    UNAUTHENTICATED = "unauthenticated"
    USERNAME_TAKEN = "username-taken"
