"""Review events round trip, the pharmacy claim (OD-02), release, expiry and revision."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from healthhub.core import events
from healthhub.review.events import PrescriptionReviewDecided
from healthhub.core.db import utcnow
from healthhub.core.errors import AppError, Forbidden, RuleViolation
from healthhub.core.public_ids import decode
from healthhub.prescriptions import service
from healthhub.review import workbench
from healthhub.review.policies import Caller
from healthhub.prescriptions.models import PrescriptionItem
from tests.factories import pid
from tests.prescriptions.scenario import body, make_scenario
from tests.prescriptions.test_prescribing import BASE, create_and_sign


def decide(db, rx_id: int, outcome: str, reason: str = "") -> None:
    events.publish(db, PrescriptionReviewDecided(prescription_id=rx_id, review_id=1, outcome=outcome,
                                                 pharmacist_user_id=None, reason=reason, signature="sm2:abc"))


@pytest.fixture
def approved(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s, body(s.consultation_id, {"name": "氨氯地平", "dose": "5", "unit": "mg",
                                                             "frequency": "qd", "route": "口服", "days": 7,
                                                             "quantity": 2}))
    decide(db, decode(rx["id"]), "approved")
    return s, rx


def test_review_approval_makes_it_usable_once(client, db, approved):
    s, rx = approved
    assert client.get(f"{BASE}/{rx['id']}", headers=s.patient_headers).json()["status"] == "APPROVED"
    now = utcnow()
    assert [pid(u.id) for u in service.list_usable_for_account(db, account_user_id=s.patient_user.id, now=now)] == [rx["id"]]
    claimed = service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                                      lines=[("amlodipine", 2)], order_ref="ORD-1", now=now)
    assert claimed.lines == (("amlodipine", "氨氯地平", 2),)
    assert service.get_prescription(db, prescription_id=decode(rx["id"])).status == "USED"
    # the same order retrying is fine, another order is refused (OD-02)
    service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                            lines=[("amlodipine", 2)], order_ref="ORD-1", now=now)
    with pytest.raises(RuleViolation) as caught:
        service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                                lines=[("amlodipine", 1)], order_ref="ORD-2", now=now)
    assert caught.value.code == "rx-already-used"
    assert service.list_usable_for_account(db, account_user_id=s.patient_user.id, now=now) == []


def test_release_claim_returns_it_to_approved_while_valid(db, approved):
    s, rx = approved
    now = utcnow()
    service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                            lines=[("amlodipine", 1)], order_ref="ORD-9", now=now)
    assert service.release_claim(db, order_ref="ORD-9", now=now) == decode(rx["id"])
    assert service.get_prescription(db, prescription_id=decode(rx["id"])).status == "APPROVED"
    assert service.release_claim(db, order_ref="ORD-unknown") is None


def test_release_after_validity_ends_expires_it(db, approved):
    s, rx = approved
    service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                            lines=[("amlodipine", 1)], order_ref="ORD-8", now=utcnow())
    service.release_claim(db, order_ref="ORD-8", now=utcnow() + timedelta(days=5))
    assert service.get_prescription(db, prescription_id=decode(rx["id"])).status == "EXPIRED"


@pytest.mark.parametrize("lines, code", [
    ([("amlodipine", 3)], "rx-quantity-exceeded"),
    ([("amlodipine", 1), ("amlodipine", 2)], "rx-quantity-exceeded"),
    ([("metformin", 1)], "rx-drug-not-covered"),
    ([], "rx-nothing-to-claim"),
])
def test_claim_refuses_what_the_prescription_does_not_cover(db, approved, lines, code):
    s, rx = approved
    with pytest.raises(RuleViolation) as caught:
        service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id, lines=lines,
                                order_ref="ORD-3", now=utcnow())
    assert caught.value.code == code


def test_a_drug_the_prescription_lacks_is_named_in_chinese(db, approved):
    s, rx = approved
    with pytest.raises(RuleViolation) as caught:
        service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                                lines=[("mometasone", 1)], order_ref="ORD-5", now=utcnow())
    assert "未开具药品 莫米松 /" in caught.value.detail


def test_claim_refuses_another_account_and_an_expired_prescription(db, approved):
    s, rx = approved
    other = make_scenario(db)
    with pytest.raises(Forbidden):
        service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=other.patient_user.id,
                                lines=[("amlodipine", 1)], order_ref="ORD-4", now=utcnow())
    later = utcnow() + timedelta(days=5)  # past the issue day + 3 (RX-01's longest validity, the default)
    with pytest.raises(RuleViolation) as caught:
        service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                                lines=[("amlodipine", 1)], order_ref="ORD-5", now=later)
    assert caught.value.code == "rx-expired" and "RX-01" in caught.value.detail
    assert service.expire_due(db, now=utcnow()) == 0
    assert service.expire_due(db, now=later) == 1
    assert service.get_prescription(db, prescription_id=decode(rx["id"])).status == "EXPIRED"


def test_claim_refuses_an_unapproved_prescription(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    with pytest.raises(RuleViolation) as caught:
        service.claim_for_order(db, prescription_id=decode(rx["id"]), account_user_id=s.patient_user.id,
                                lines=[("amlodipine", 1)], order_ref="ORD-6", now=utcnow())
    assert caught.value.code == "rx-not-approved"


def test_a_tampered_prescription_can_be_neither_approved_nor_claimed(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    db.execute(update(PrescriptionItem).where(PrescriptionItem.prescription_id == decode(rx["id"])).values(days=6))
    db.expire_all()
    with pytest.raises(AppError) as caught:
        decide(db, decode(rx["id"]), "approved")
    assert caught.value.code == "rx-signature-invalid"


def test_returned_prescription_is_revised_into_a_new_version(client, db):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    decide(db, decode(rx["id"]), "returned", reason="剂量需调整")
    returned = client.get(f"{BASE}/{rx['id']}", headers=s.doctor_headers).json()
    assert returned["status"] == "RETURNED" and returned["review_reason"] == "剂量需调整"
    todo = client.get(BASE, params={"needs_action": True}, headers=s.doctor_headers).json()
    assert [i["id"] for i in todo["items"]] == [rx["id"]]
    revised = client.post(f"{BASE}/{rx['id']}/revise", headers=s.doctor_headers)
    assert revised.status_code == 201
    new = revised.json()
    assert new["status"] == "DRAFT" and new["version"] == 2 and new["number"] == rx["number"]
    assert new["previous_id"] == rx["id"]
    assert client.get(f"{BASE}/{rx['id']}", headers=s.doctor_headers).json()["superseded_by_id"] == new["id"]
    assert client.post(f"{BASE}/{rx['id']}/revise", headers=s.doctor_headers).status_code == 422
    signed = client.post(f"{BASE}/{new['id']}/sign", json={"confirm": True}, headers=s.doctor_headers).json()
    assert signed["status"] == "UNDER_REVIEW" and signed["signature_valid"] is True


def test_pharmacist_confirmation_request_and_doctor_double_sign(client, db, make_user):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    pharmacist, _ = make_user("pharmacist")
    caller = Caller(role="pharmacist", user_id=pharmacist.id)
    workbench.ask_doctor(db, caller=caller, record=workbench.open_review_for_prescription(db, prescription_id=decode(rx["id"])),
                         question="剂量偏大，请确认")
    pending = client.get(f"{BASE}/{rx['id']}", headers=s.doctor_headers).json()
    assert pending["confirmation_pending"] is True and pending["confirmation_question"] == "剂量偏大，请确认"
    done = client.post(f"{BASE}/{rx['id']}/confirm", json={"comment": "已核对，患者体重大", "confirm": True},
                       headers=s.doctor_headers)
    assert done.status_code == 200 and done.json()["confirmation_pending"] is False
    confirmed = workbench.open_review_for_prescription(db, prescription_id=decode(rx["id"]))
    assert confirmed.doctor_comment == "已核对，患者体重大"
    assert confirmed.confirming_doctor == {"user_id": s.doctor_user.id}
    again = client.post(f"{BASE}/{rx['id']}/confirm", json={"comment": "再次确认", "confirm": True},
                        headers=s.doctor_headers)
    assert again.status_code == 422
    record = workbench.open_review_for_prescription(db, prescription_id=decode(rx["id"]))
    assert record.double_signed is True
    workbench.approve(db, caller=caller, record=record, note="已双签，同意调配")
    assert client.get(f"{BASE}/{rx['id']}", headers=s.patient_headers).json()["status"] == "APPROVED"


def test_round_trip_through_the_pharmacist_workbench(client, db, make_user):
    s = make_scenario(db)
    rx = create_and_sign(client, s)
    record = workbench.open_review_for_prescription(db, prescription_id=decode(rx["id"]))
    assert record is not None and record.patient_label.startswith("王")
    pharmacist, _ = make_user("pharmacist")
    workbench.return_to_doctor(db, caller=Caller(role="pharmacist", user_id=pharmacist.id), record=record,
                               reason="请补充诊断依据")
    seen = client.get(f"{BASE}/{rx['id']}", headers=s.doctor_headers).json()
    assert seen["status"] == "RETURNED" and seen["review_reason"] == "请补充诊断依据"
