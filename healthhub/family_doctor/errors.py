"""The family doctor domain's error codes: stable, machine-readable slugs that clients may branch on (the
problem+json `code`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    FD_ALREADY_PAID = "fd-already-paid"
    FD_ALREADY_SUBSCRIBED = "fd-already-subscribed"
    FD_FOREIGN_MEMBER = "fd-foreign-member"
    FD_NOT_PAID = "fd-not-paid"
    FD_PACKAGE_CODE_TAKEN = "fd-package-code-taken"
    FD_PACKAGE_INACTIVE = "fd-package-inactive"
    FD_PACKAGE_NOT_FOUND = "fd-package-not-found"
    FD_PURCHASE_NOT_FOUND = "fd-purchase-not-found"
    FD_SUBSCRIPTION_NOT_FOUND = "fd-subscription-not-found"
    FD_TOO_MANY_MEMBERS = "fd-too-many-members"
