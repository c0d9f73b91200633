"""The pharmacist's approval is an SM2 signature with the pharmacist's own key over a canonical statement
(review, prescription ref, verdict, KB version, request and findings digests, prescriber's re-signature,
note, pharmacist, time); every read re-verifies it and any change after signing shows."""
import pytest
from sqlalchemy import select, text

from healthhub.core.audit import AuditEntry
from healthhub.core import signing
from healthhub.core.public_ids import decode
from healthhub.review import signatures
from healthhub.review.models import PharmacistSigningKey, ReviewRecord
from tests.review.conftest import CONFIRMING_DOCTOR, DDI_WARN_REQUEST, PASS_REQUEST


def _approved(client, tenant, pharmacist, body=PASS_REQUEST, note=None) -> int:
    review_id = client.post("/api/v1/review?external_ref=HIS-9", json=body,
                            headers={"X-Api-Key": tenant["api_key"]}).json()["review_id"]
    response = client.post(f"/api/v1/review/reviews/{review_id}/approve", json={"note": note}, headers=pharmacist)
    assert response.status_code == 200, response.text
    return review_id


def _valid(client, review_id, headers) -> bool:
    return client.get(f"/api/v1/review/reviews/{review_id}", headers=headers).json()["signature_valid"]


def test_approval_is_an_sm2_signature_with_the_pharmacists_own_key(client, db, new_tenant, pharmacist_of):
    tenant = new_tenant()
    user, pharmacist = pharmacist_of(tenant)
    first, second = _approved(client, tenant, pharmacist), _approved(client, tenant, pharmacist)
    key = db.execute(select(PharmacistSigningKey).where(PharmacistSigningKey.pharmacist_user_id == user.id)
                     ).scalar_one()  # made on the first approval, reused after
    for review_id in (first, second):
        record = db.get(ReviewRecord, decode(review_id))
        assert record.signing_key_id == key.id and len(record.signature) == 128
        # anyone holding the public key verifies the statement with the standard SM2/SM3 primitives
        statement = signatures.statement(record, pharmacist_user_id=user.id, signed_at=record.decided_at)
        assert signing.verify(key.public_key, record.signature, statement)
        assert f'"review_id":{decode(review_id)}' in statement and '"source_ref":"HIS-9"' in statement
        assert f'"pharmacist_user_id":{user.id}' in statement and '"findings_digest":' in statement
    stored = db.execute(text("SELECT private_key FROM review_signing_keys WHERE id = :id"), {"id": key.id}).scalar()
    assert stored != key.private_key  # encrypted at rest
    assert db.execute(select(AuditEntry).where(AuditEntry.action == "review.signing_key.create",
                                               AuditEntry.entity_id == str(key.id))).scalar_one()


@pytest.mark.parametrize("tamper", [
    lambda r: setattr(r, "verdict", "review"),
    lambda r: setattr(r, "kb_version", "000000000000"),
    lambda r: setattr(r, "response", {**r.response, "findings": [*r.response["findings"], {
        "family": "DDI", "rule": "DDI-MAJOR", "severity": "warn", "drugs": [], "message_zh": "x", "message_en": "x",
        "evidence": {"x": 1}}]}),
    lambda r: setattr(r, "request", {**r.request, "diagnoses": ["Z00.0"]}),
    lambda r: setattr(r, "decision_reason", "事后补写的意见"),
    lambda r: setattr(r, "source_ref", "HIS-10"),
    lambda r: setattr(r, "decided_at", r.decided_at.replace(year=r.decided_at.year - 1)),
    lambda r: setattr(r, "signature", r.signature[:-4] + ("0000" if r.signature[-4:] != "0000" else "1111")),
], ids=["verdict", "kb_version", "findings", "request", "note", "prescription", "time", "signature"])
def test_any_change_after_signing_fails_verification(client, db, new_tenant, pharmacist_of, tamper):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = _approved(client, tenant, pharmacist)
    assert _valid(client, review_id, pharmacist) is True
    tamper(db.get(ReviewRecord, decode(review_id)))
    db.flush()
    assert _valid(client, review_id, pharmacist) is False


def test_another_pharmacists_key_or_name_does_not_verify(client, db, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, first = pharmacist_of(tenant)
    other, second = pharmacist_of(tenant)
    mine, theirs = _approved(client, tenant, first), _approved(client, tenant, second)
    record = db.get(ReviewRecord, decode(mine))
    record.decided_by_user_id = other.id  # claiming someone else approved it
    db.flush()
    assert _valid(client, mine, first) is False
    record.decided_by_user_id = db.get(ReviewRecord, decode(theirs)).decided_by_user_id
    record.signing_key_id = db.get(ReviewRecord, decode(theirs)).signing_key_id  # and pointing at their key
    db.flush()
    assert _valid(client, mine, first) is False
    assert _valid(client, theirs, second) is True


def test_the_prescribers_re_signature_is_part_of_what_the_pharmacist_signs(client, db, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = client.post("/api/v1/review", json=DDI_WARN_REQUEST,
                            headers={"X-Api-Key": tenant["api_key"]}).json()["review_id"]
    client.post(f"/api/v1/review/reviews/{review_id}/ask-doctor", json={"question": "合用辛伐他汀，请确认剂量"},
                headers=pharmacist)
    client.post(f"/api/v1/review/reviews/{review_id}/doctor-confirmation",
                json={"doctor": CONFIRMING_DOCTOR, "comment": "减量至20mg"}, headers={"X-Api-Key": tenant["api_key"]})
    assert client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist).status_code == 200
    assert _valid(client, review_id, pharmacist) is True
    record = db.get(ReviewRecord, decode(review_id))
    record.confirming_doctor = {**CONFIRMING_DOCTOR, "name": "王某"}
    db.flush()
    assert _valid(client, review_id, pharmacist) is False


def test_returning_leaves_no_signature(client, db, new_tenant, pharmacist_of):
    tenant = new_tenant()
    _, pharmacist = pharmacist_of(tenant)
    review_id = client.post("/api/v1/review", json=PASS_REQUEST,
                            headers={"X-Api-Key": tenant["api_key"]}).json()["review_id"]
    returned = client.post(f"/api/v1/review/reviews/{review_id}/return", json={"reason": "请补充体重"},
                           headers=pharmacist).json()
    assert returned["signature"] is None and returned["signature_valid"] is None
    assert db.get(ReviewRecord, decode(review_id)).signing_key_id is None
