"""Public ids: what URLs, pages and API bodies carry instead of our sequential primary keys.

A sequential id tells anyone how many orders we have and invites trying the next one. Each integer key
is shown as one SM4 block (the key as 8 bytes, then a fixed 8-byte check) encrypted with the
installation's `public_id_key`: 32 hex characters that cannot be guessed or counted, and that decode
back without a lookup table. A forged or mistyped id fails the check and reads as "not found".
Inside the platform (services, tables, events) ids stay integers.
"""
import re
from functools import lru_cache
from typing import Annotated, Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pydantic import BeforeValidator, PlainSerializer, TypeAdapter, WithJsonSchema

from healthhub.core.config import get_settings
from healthhub.core.errors import NotFound

_CHECK = b"HHpubid1"
PUBLIC_ID_PATTERN = "^[0-9a-f]{32}$"
_PUBLIC_ID = re.compile("[0-9a-f]{32}")
PUBLIC_ID_SCHEMA = {"type": "string", "pattern": PUBLIC_ID_PATTERN, "examples": ["4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99"]}


@lru_cache(maxsize=4)
def _cipher(key_hex: str) -> Cipher:
    return Cipher(algorithms.SM4(bytes.fromhex(key_hex)), modes.ECB())  # one block: ECB is the block cipher


def _key() -> str:
    return get_settings().public_id_key


@lru_cache(maxsize=65536)
def _encode(key_hex: str, value: int) -> str:
    encryptor = _cipher(key_hex).encryptor()
    return (encryptor.update(value.to_bytes(8, "big") + _CHECK) + encryptor.finalize()).hex()


def encode(value: int) -> str:
    return _encode(_key(), value)


def decode(token: str) -> int | None:
    """The integer key behind a public id, or None when the text is not one of ours."""
    if not isinstance(token, str) or not _PUBLIC_ID.fullmatch(token):
        return None
    block = bytes.fromhex(token)
    decryptor = _cipher(_key()).decryptor()
    plain = decryptor.update(block) + decryptor.finalize()
    if plain[8:] != _CHECK:
        return None
    return int.from_bytes(plain[:8], "big")


def _decode_in_url(value: object) -> int:
    # In a URL a wrong id names nothing: "not found", as for an id that was never issued. An integer is
    # refused too: accepting raw keys would bring enumeration straight back.
    decoded = decode(value) if isinstance(value, str) else None
    if decoded is None:
        raise NotFound("未找到该编号对应的记录 / no record has this id")
    return decoded


def _decode_in_body(value: object) -> int:
    # In a body a malformed id is a mistake in the input (422, field named); a well-formed id of a missing
    # record is left to the service, which answers 404 as for any other missing record.
    decoded = decode(value) if isinstance(value, str) else None
    if decoded is None:
        raise ValueError("不是有效的编号（32 位十六进制公开编号）/ not a valid public id (32 hex characters)")
    return decoded


def _as_token(value: int | None) -> str | None:
    return None if value is None else encode(value)


# Input: a public id in a path or query (unknown -> 404) or in a body field (malformed -> 422), decoded to the key.
PublicIdInUrl = Annotated[int, BeforeValidator(_decode_in_url), WithJsonSchema(PUBLIC_ID_SCHEMA)]
PublicIdInBody = Annotated[int, BeforeValidator(_decode_in_body), WithJsonSchema(PUBLIC_ID_SCHEMA)]
# Output: an integer key read from a row, shown as its public id.
PublicId = Annotated[int, PlainSerializer(_as_token, return_type=str), WithJsonSchema(PUBLIC_ID_SCHEMA)]


@lru_cache(maxsize=64)
def _adapter(view_type: type) -> TypeAdapter:
    return TypeAdapter(view_type)


def as_json(view: Any) -> Any:
    """A frozen view (dataclass) as its JSON for APIs and page data: its `PublicId` fields become public ids."""
    return _adapter(type(view)).dump_python(view, mode="json")
