from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from healthhub.core.crypto import FieldCipher, field_cipher, sm3_hex
from healthhub.identity.schemas import UserCreate
from healthhub.identity.service import create_user, find_by_mobile
from tests.factories import TEST_PASSWORD, valid_id_number


def test_sm3_matches_the_standard_test_vector():
    # GB/T 32905-2016 appendix A, example 1.
    assert sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_cipher_round_trips_and_is_randomised():
    cipher = field_cipher()
    first, second = cipher.encrypt("13800138000"), cipher.encrypt("13800138000")
    assert first != second
    assert cipher.decrypt(first) == cipher.decrypt(second) == "13800138000"


def test_tampered_ciphertext_is_rejected():
    cipher = field_cipher()
    token = cipher.encrypt("13800138000")
    tampered = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(InvalidTag):  # GCM's tag check, not some unrelated failure such as bad base64
        cipher.decrypt(tampered)


def test_another_key_cannot_decrypt():
    token = field_cipher().encrypt("secret")
    with pytest.raises(InvalidTag):
        FieldCipher(bytes(16)).decrypt(token)
    with pytest.raises(ValueError, match="unknown ciphertext format"):
        field_cipher().decrypt("13800138000")  # plain text is never taken for ciphertext


def test_encrypted_columns_hold_no_plain_text_in_the_database(committed_db):
    id_number, mobile = valid_id_number(), "13912345678"
    with committed_db.session_scope() as session:
        create_user(session, data=UserCreate(username="pii_check", display_name="隐私", role="patient",
                                             password=TEST_PASSWORD, mobile=mobile, id_number=id_number))
    with committed_db.engine.connect() as connection:
        raw = connection.execute(text("SELECT mobile, id_number, mobile_index FROM users WHERE username='pii_check'")
                                 ).one()
    assert mobile not in raw.mobile and id_number not in raw.id_number
    assert raw.mobile.startswith("sm4gcm1:") and mobile not in raw.mobile_index
    if committed_db.engine.dialect.name == "sqlite":
        committed_db.dispose()  # checkpoint the WAL so the bytes are in the files we read
        db_file = Path(committed_db.url.removeprefix("sqlite:///"))
        for path in [db_file, *db_file.parent.glob(db_file.name + "-*")]:
            content = path.read_bytes()
            assert mobile.encode() not in content
            assert id_number.encode() not in content
    with committed_db.session_scope() as session:
        found = find_by_mobile(session, mobile=mobile)
        assert found is not None and found.id_number == id_number
