"""Images people send us (medical records, chat): base64 in, the real type from the bytes, never from the
client's claim; PNG, JPEG and WebP only, at most 5 MB."""
import base64
import binascii

from healthhub.core.error_codes import ErrorCode
from healthhub.core.errors import RuleViolation

MAX_IMAGE_BYTES = 5 * 1024 * 1024
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def decode_image(value: str | None) -> bytes | None:
    """Images travel as base64 (optionally a data: URL); type and size are checked on the bytes."""
    if value is None:
        return None
    payload = value.split(",", 1)[-1]
    if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 8:
        raise RuleViolation("图片过大，上限 5 MB / image larger than 5 MB", code=ErrorCode.IMAGE_TOO_LARGE)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RuleViolation("图片须为 base64 编码 / image must be base64 encoded", code=ErrorCode.BAD_IMAGE) from exc


def sniff_image(data: bytes) -> str:
    """The image's type from its magic bytes."""
    if not data:
        raise RuleViolation("图片为空 / empty image", code=ErrorCode.BAD_IMAGE)
    if len(data) > MAX_IMAGE_BYTES:
        raise RuleViolation(f"图片过大：{len(data) / 1048576:.1f} MB，上限 5 MB / image larger than 5 MB",
                            code=ErrorCode.IMAGE_TOO_LARGE)
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise RuleViolation("仅支持 PNG、JPEG、WebP 图片 / only PNG, JPEG and WebP images are accepted",
                        code=ErrorCode.BAD_IMAGE_TYPE)
