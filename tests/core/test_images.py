"""Images people send: the type comes from the bytes, never from the client's claim; base64 and size bounds."""
import base64

import pytest

from healthhub.core.errors import RuleViolation
from healthhub.core.images import MAX_IMAGE_BYTES, decode_image, sniff_image


def test_images_are_checked_by_magic_bytes_and_size():
    assert sniff_image(b"\x89PNG\r\n\x1a\n1234") == "image/png"
    assert sniff_image(b"\xff\xd8\xff\xe0abcd") == "image/jpeg"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    with pytest.raises(RuleViolation, match="PNG"):
        sniff_image(b"GIF89a......")
    with pytest.raises(RuleViolation, match="5 MB"):
        sniff_image(b"\x89PNG\r\n\x1a\n" + b"0" * MAX_IMAGE_BYTES)


def test_base64_images_decode_and_refuse_what_is_not_base64():
    assert decode_image(None) is None
    assert decode_image("data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()) == (
        b"\x89PNG\r\n\x1a\n")
    with pytest.raises(RuleViolation) as refused:
        decode_image("not base64!")
    assert refused.value.code == "bad-image"
