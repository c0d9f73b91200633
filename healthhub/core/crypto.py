"""Commercial cryptography (DP-08/DP-09): SM4-GCM for data at rest, SM3 for hashes and blind indexes.

Ciphertexts carry a version prefix so the algorithm or key can be rotated without a schema change.
"""
import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from healthhub.core.config import get_settings

_PREFIX = "sm4gcm1:"
_NONCE_BYTES = 12
_TAG_BYTES = 16


def sm3_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.new("sm3", data).hexdigest()


def hmac_sm3(key: bytes, data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hmac.new(key, data, "sm3").hexdigest()


class FieldCipher:
    def __init__(self, key: bytes):
        if len(key) != 16:
            raise ValueError("SM4 needs a 128-bit key")
        self._key = key
        # A separate key for blind indexes, so an index never doubles as a keystream oracle.
        self._index_key = hmac.new(key, b"healthhub-blind-index", "sm3").digest()

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return _PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode()

    def decrypt(self, token: str) -> str:
        if not token.startswith(_PREFIX):
            raise ValueError("unknown ciphertext format")
        raw = base64.b64decode(token[len(_PREFIX):])
        nonce, body, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        return (decryptor.update(body) + decryptor.finalize()).decode()

    def blind_index(self, value: str) -> str:
        """Deterministic keyed hash: lets us look up or enforce uniqueness without storing plain text."""
        return hmac_sm3(self._index_key, value)


def field_cipher() -> FieldCipher:
    return FieldCipher(bytes.fromhex(get_settings().pii_key))


class EncryptedString(TypeDecorator):
    """A column whose plain text never reaches the database."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else field_cipher().encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else field_cipher().decrypt(value)
