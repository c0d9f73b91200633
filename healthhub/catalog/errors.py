"""The catalog domain's error codes: stable, machine-readable slugs that clients may branch on (the
problem+json `code`). Renaming one is a breaking change of the API."""
from enum import StrEnum


class ErrorCode(StrEnum):
    FORBIDDEN_ROLE = "forbidden-role"
    INVALID_PRODUCT = "invalid-product"
    ONLINE_SALE_BANNED = "online-sale-banned"
    PRODUCT_INACTIVE = "product-inactive"
    PRODUCT_NOT_FOUND = "product-not-found"
    PRODUCT_UNPRICED = "product-unpriced"
    SKU_CODE_TAKEN = "sku-code-taken"
    SKU_NOT_FOUND = "sku-not-found"
    SPECIAL_MANAGEMENT_DRUG = "special-management-drug"
    UNKNOWN_CATEGORY = "unknown-category"
