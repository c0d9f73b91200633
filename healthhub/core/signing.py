"""SM2 signatures (GB/T 32918) with SM3 digests over a canonical form of what is signed (DP-07/DP-09):
doctors sign prescriptions, pharmacists sign their review decisions.

gmssl's own nonce helper uses `random.choice`, which is predictable; a predictable SM2 nonce leaks
the private key, so every nonce here comes from `secrets`. gmssl's constructor also strips every
leading "0"/"4" of a public key (`lstrip("04")`), so the key is set on the object directly.
"""
import json
import secrets
from functools import lru_cache
from typing import Any

from gmssl import sm2

from healthhub.core.crypto import sm3_hex

_CURVE = sm2.default_ecc_table
_N = int(_CURVE["n"], 16)
_HEX_LEN = len(_CURVE["n"])


def canonical_form(content: dict[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the same content always gives the same bytes."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_digest(canonical: str) -> str:
    return sm3_hex(canonical)


def _signer(private_hex: str | None, public_hex: str) -> sm2.CryptSM2:
    signer = sm2.CryptSM2(private_key=private_hex, public_key="")
    signer.public_key = public_hex
    return signer


def generate_keypair() -> tuple[str, str]:
    """Returns (private key hex, public key hex as x||y without the 04 prefix)."""
    private = secrets.randbelow(_N - 2) + 1
    public_hex = _signer(None, "")._kg(private, _CURVE["g"])
    return f"{private:0{_HEX_LEN}x}", public_hex


def sign(private_hex: str, public_hex: str, canonical: str) -> str:
    """r||s in hex; SM3 with the signer's Z value is applied inside (sign_with_sm3)."""
    nonce = f"{secrets.randbelow(_N - 1) + 1:0{_HEX_LEN}x}"
    return _signer(private_hex, public_hex).sign_with_sm3(canonical.encode(), nonce)


# Verification runs on every read and costs tens of milliseconds in pure Python; the result depends only on
# these three inputs, so any tampering (a different canonical text or signature) is a cache miss.
@lru_cache(maxsize=4096)
def verify(public_hex: str, signature: str, canonical: str) -> bool:
    if not signature or len(signature) != 2 * _HEX_LEN:
        return False
    try:
        return bool(_signer(None, public_hex).verify_with_sm3(signature, canonical.encode()))
    except (ValueError, TypeError):
        return False
