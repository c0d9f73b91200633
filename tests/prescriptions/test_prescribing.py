"""Doctor-side use cases through the API: draft, live checks, SM2 signing, tamper detection, IDT-07."""
from datetime import date

from sqlalchemy import update

from healthhub.prescriptions.models import Prescription, PrescriptionItem
from healthhub.core.public_ids import decode
from healthhub.review import workbench
from tests.prescriptions.scenario import body, make_scenario

BASE = "/api/v1/prescriptions"


def create_and_sign(client, s, payload=None) -> dict:
    created = client.post(BASE, json=payload or body(s.consultation_id), headers=s.doctor_headers)
    assert created.status_code == 201, created.text
    signed = client.post(f"{BASE}/{created.json()['id']}/sign", json={"confirm": True}, headers=s.doctor_headers)
    assert signed.status_code == 200, signed.text
    return signed.json()


def test_doctor_signs_and_the_prescription_goes_to_review(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    assert rx["status"] == "UNDER_REVIEW" and rx["status_label"] == "待药师审核"
    assert rx["signature_valid"] is True and len(rx["content_digest"]) == 64
    assert rx["items"][0]["knowledge_key"] == "amlodipine" and rx["items"][0]["generic_name"] == "氨氯地平"
    assert (date.fromisoformat(rx["valid_until"]) - date.fromisoformat(rx["issued_on"])).days == 3  # RX-01 longest
    queued = workbench.open_review_for_prescription(db, prescription_id=decode(rx["id"]))
    assert queued.status == "pending" and queued.doctor_user_id == s.doctor_user.id
    assert queued.request["prescriber"]["signature_valid"] is True
    assert queued.request["items"][0] == {"drug": "氨氯地平", "dose_mg": 5.0, "times_per_day": 1, "route": "口服",
                                            "days": 7}
    assert "王" in queued.patient_label and "建国" not in queued.patient_label


def test_tampering_after_signing_is_detected_on_read(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    db.execute(update(PrescriptionItem).where(PrescriptionItem.prescription_id == decode(rx["id"])).values(quantity=9))
    db.expire_all()
    seen = client.get(f"{BASE}/{rx['id']}", headers=s.patient_headers).json()
    assert seen["signature_valid"] is False


def test_changing_the_diagnosis_row_is_detected_too(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    db.execute(update(Prescription).where(Prescription.id == decode(rx["id"])).values(
        diagnoses=[{"code": "E11", "name": "2型糖尿病"}]))
    db.expire_all()
    assert client.get(f"{BASE}/{rx['id']}", headers=s.doctor_headers).json()["signature_valid"] is False


def test_rule_errors_are_listed_live_and_refused_on_save(client, db):
    s = make_scenario(db)
    morphine = {"name": "吗啡", "dose": "10", "unit": "mg", "frequency": "q12h", "route": "口服", "days": 3,
                "quantity": 1}
    payload = body(s.consultation_id, morphine, diagnoses=[])
    checked = client.post(f"{BASE}/check", json=payload, headers=s.doctor_headers).json()
    assert checked["ok"] is False and {e["rule"] for e in checked["errors"]} == {"IDT-09", "RX-04"}
    refused = client.post(BASE, json=payload, headers=s.doctor_headers)
    assert refused.status_code == 422 and refused.json()["code"] == "rx-rules-failed"
    assert {e["rule"] for e in refused.json()["errors"]} == {"IDT-09", "RX-04"}


def test_only_the_treating_doctor_may_prescribe_idt07(client, db, make_user):
    s = make_scenario(db)
    other = make_scenario(db)
    assert client.post(BASE, json=body(s.consultation_id), headers=other.doctor_headers).status_code == 403
    for role in ("patient", "pharmacist", "admin"):
        _, headers = make_user(role)
        db.commit()
        assert client.post(BASE, json=body(s.consultation_id), headers=headers).status_code == 403
    assert client.post(BASE, json=body(s.consultation_id)).status_code == 401


def test_under_six_needs_the_idt10_confirmations(client, db):
    child = make_scenario(db, birth=date.today().replace(year=date.today().year - 3))
    refused = client.post(BASE, json=body(child.consultation_id), headers=child.doctor_headers)
    assert refused.status_code == 422 and refused.json()["code"] == "under6-confirmation-required"
    confirmed = make_scenario(db, birth=date.today().replace(year=date.today().year - 3), confirm_under6=True)
    assert client.post(BASE, json=body(confirmed.consultation_id), headers=confirmed.doctor_headers).status_code == 201


def test_a_signed_prescription_cannot_be_edited_or_signed_again(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    assert client.put(f"{BASE}/{rx['id']}", json=body(s.consultation_id), headers=s.doctor_headers).status_code == 422
    again = client.post(f"{BASE}/{rx['id']}/sign", json={"confirm": True}, headers=s.doctor_headers)
    assert again.status_code == 422


def test_signing_needs_the_explicit_confirmation(client, db):
    s = make_scenario(db)
    created = client.post(BASE, json=body(s.consultation_id), headers=s.doctor_headers).json()
    refused = client.post(f"{BASE}/{created['id']}/sign", json={"confirm": False}, headers=s.doctor_headers)
    assert refused.status_code == 422 and refused.json()["code"] == "rx-sign-unconfirmed"


def test_patient_sees_own_signed_prescriptions_only(client, db):
    s = make_scenario(db)
    other = make_scenario(db)
    rx = create_and_sign(client, s)
    listed = client.get(BASE, headers=s.patient_headers).json()
    assert [i["id"] for i in listed["items"]] == [rx["id"]]
    assert client.get(f"{BASE}/{rx['id']}", headers=other.patient_headers).status_code == 403
    assert client.get(BASE, headers=other.patient_headers).json()["total"] == 0


def test_drug_search_uses_the_knowledge_base(client, db):
    s = make_scenario(db)
    found = client.get(f"{BASE}/drugs", params={"q": "氨氯"}, headers=s.doctor_headers).json()
    assert any(d["key"] == "amlodipine" for d in found)
