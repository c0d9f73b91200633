"""The pharmacist's sign-off (RV-05): an SM2 signature with the pharmacist's own key over a canonical
statement of what was approved, re-verified on every read.

The key pairs live here, one per pharmacist, made on the first approval like the doctors' keys in the
prescriptions domain; both use the shared SM2/SM3 primitives in `core.signing`.
"""
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core import audit, signing
from healthhub.review.models import PharmacistSigningKey, ReviewRecord


def key_for(session: Session, pharmacist_user_id: int) -> PharmacistSigningKey:
    """The pharmacist's key pair, created on first use; the private key is stored SM4-encrypted."""
    key = session.execute(select(PharmacistSigningKey).where(
        PharmacistSigningKey.pharmacist_user_id == pharmacist_user_id)).scalar_one_or_none()
    if key is None:
        private_hex, public_hex = signing.generate_keypair()
        key = PharmacistSigningKey(pharmacist_user_id=pharmacist_user_id, public_key=public_hex,
                                   private_key=private_hex)
        session.add(key)
        session.flush()
        audit.record(session, action="review.signing_key.create", entity_type="review_signing_key", entity_id=key.id,
                     detail={"pharmacist_user_id": pharmacist_user_id, "public_key": public_hex})
    return key


def statement(record: ReviewRecord, *, pharmacist_user_id: int, signed_at: datetime) -> str:
    """What the pharmacist vouches for: this review of this prescription, its verdict and findings under
    this knowledge-base version, the prescriber's re-signature if any, the note, who and when."""
    content: dict[str, Any] = {
        "review_id": record.id, "source": record.source, "source_ref": record.source_ref,
        "verdict": record.verdict, "kb_version": record.kb_version,
        "request_digest": signing.content_digest(signing.canonical_form(record.request)),
        "findings_digest": signing.content_digest(signing.canonical_form(record.response.get("findings", []))),
        "double_signed": record.double_signed, "confirming_doctor": record.confirming_doctor,
        "note": record.decision_reason, "pharmacist_user_id": pharmacist_user_id,
        "signed_at": signed_at.astimezone(UTC).isoformat(),
    }
    return signing.canonical_form(content)


def sign_approval(session: Session, record: ReviewRecord, *, pharmacist_user_id: int, signed_at: datetime) -> None:
    """Signs the record as it stands (decision reason already set) and keeps the signature and key id on it."""
    key = key_for(session, pharmacist_user_id)
    text = statement(record, pharmacist_user_id=pharmacist_user_id, signed_at=signed_at)
    record.signature, record.signing_key_id = signing.sign(key.private_key, key.public_key, text), key.id


def verify(session: Session, record: ReviewRecord) -> bool:
    """False when anything the statement covers changed after signing, or the key is not the decider's."""
    if not record.signature or record.signing_key_id is None or record.decided_by_user_id is None \
            or record.decided_at is None:
        return False
    key = session.get(PharmacistSigningKey, record.signing_key_id)
    if key is None or key.pharmacist_user_id != record.decided_by_user_id:
        return False
    text = statement(record, pharmacist_user_id=record.decided_by_user_id, signed_at=record.decided_at)
    return signing.verify(key.public_key, record.signature, text)
