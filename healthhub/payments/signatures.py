"""The sandbox provider's callback signature: HMAC-SHA256 over "<timestamp>.<body>", sent in two headers.

Shared by the provider's sender (dispatch.py signs at send time) and our verifier (sandbox.py), which is why
it is a module of its own: neither of them imports the other for it.
"""
import hashlib
import hmac
from datetime import datetime

from healthhub.core.config import get_settings
from healthhub.core.db import utcnow

SIGNATURE_HEADER = "x-sandbox-signature"
TIMESTAMP_HEADER = "x-sandbox-timestamp"


def signing_secret() -> bytes:
    # Derived from the deployment secret: nothing to configure, nothing committed to the repository.
    return hmac.new(get_settings().secret_key.encode(), b"healthhub-sandbox-payments", hashlib.sha256).digest()


def sign(body: bytes, timestamp: int) -> str:
    digest = hmac.new(signing_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signed_headers(body: bytes, *, at: datetime | None = None) -> dict[str, str]:
    timestamp = int((at or utcnow()).timestamp())
    return {"Content-Type": "application/json", TIMESTAMP_HEADER.title(): str(timestamp),
            SIGNATURE_HEADER.title(): sign(body, timestamp)}
