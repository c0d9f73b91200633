"""One payment service for any payable: the payer pays on the provider's page, signed callbacks apply exactly
once and in provider order, refunds stay within what is held, and the payable's owner hears the outcome as
`PaymentCaptured` / `PaymentRefundedByProvider` naming its payable."""
import json

import pytest
from sqlalchemy import func, select

from healthhub.core.audit import AuditEntry
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, NotFound, RuleViolation
from healthhub.payments import service as payments
from healthhub.payments.events import PaymentCaptured, PaymentRefundedByProvider
from healthhub.payments.sandbox import sandbox
from healthhub.payments.signatures import signed_headers
from tests.events import captured_events
from tests.payments.conftest import TEST_PAYABLE, open_payment
from tests.payments.sandbox import CALLBACK_URL, deliver, event_type, intent_id, outbox, payer_clicks


def _held(db, payable_id: int = 7) -> list[tuple[str, int, int]]:
    return [(p.status, p.captured_cents, p.refunded_cents)
            for p in payments.payments_of(db, payable_kind=TEST_PAYABLE, payable_id=payable_id)]


def test_the_payer_pays_on_the_provider_page_and_the_owner_hears_of_it(client, db, payer):
    payment = open_payment(db, payer)
    assert payment["redirect_url"].startswith("/pay/sandbox/pi_") and payment["status"] == "pending"
    page = client.get(payment["redirect_url"])
    assert page.status_code == 200 and "¥53.60" in page.text and "T-7" in page.text
    with captured_events(PaymentCaptured, PaymentRefundedByProvider) as heard:
        payer_clicks(client, payment)
        assert heard == [] and _held(db) == [("pending", 0, 0)]  # nothing until the callback
        [callback] = outbox(db, payment)
        assert event_type(callback) == "payment.succeeded"
        assert deliver(client, callback).json() == {"received": True, "outcome": "applied"}
    [captured] = heard
    assert (type(captured), captured.payable_kind, captured.payable_id) == (PaymentCaptured, TEST_PAYABLE, 7)
    view = payments.get_payment(db, payment_id=captured.payment_id)
    assert (view.payer_id, view.status, view.held_cents) == (payer, "succeeded", 5360)


def test_a_duplicate_callback_is_applied_once(client, db, payer):
    payment = open_payment(db, payer)
    payer_clicks(client, payment)
    [callback] = outbox(db, payment)
    with captured_events(PaymentCaptured) as heard:
        assert deliver(client, callback).json()["outcome"] == "applied"
        audits = db.execute(select(func.count()).select_from(AuditEntry)).scalar()
        assert deliver(client, callback).json()["outcome"] == "duplicate"
        assert deliver(client, callback).json()["outcome"] == "duplicate"
    assert len(heard) == 1 and _held(db) == [("succeeded", 5360, 0)]
    assert db.execute(select(func.count()).select_from(AuditEntry)).scalar() == audits


def test_a_bad_or_stale_signature_is_refused_with_problem_json(client, db, payer):
    payment = open_payment(db, payer)
    payer_clicks(client, payment)
    [callback] = outbox(db, payment)
    forged = deliver(client, callback, **{"X-Sandbox-Signature": "v1=" + "ab" * 32})
    assert forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
    assert forged.json()["code"] == "bad-signature"
    tampered = callback.body.replace('"captured_cents":5360', '"captured_cents":1')
    assert client.post(CALLBACK_URL, content=tampered.encode(),
                       headers=signed_headers(callback.body.encode())).status_code == 401
    old = deliver(client, callback, **{"X-Sandbox-Timestamp": "1000000000"})
    assert old.status_code == 401  # the signature covers the timestamp, so an edited one fails too
    assert _held(db) == [("pending", 0, 0)]


def test_a_provider_refund_overtaking_the_capture_is_told_and_the_late_capture_is_stale(client, db, payer):
    payment = open_payment(db, payer)
    payer_clicks(client, payment)
    sandbox.refund(db, provider_ref=intent_id(payment), amount_cents=5360, reason="商户后台退款")  # provider side
    succeeded, refunded = outbox(db, payment)
    assert (event_type(succeeded), event_type(refunded)) == ("payment.succeeded", "refund.succeeded")
    with captured_events(PaymentCaptured, PaymentRefundedByProvider) as heard:
        assert deliver(client, refunded).json()["outcome"] == "applied"
        assert deliver(client, succeeded).json()["outcome"] == "stale"
    # Captured and refunded in one snapshot: nothing is held, so the owner hears of the refund only.
    assert [(type(e), e.payable_id, e.amount_cents) for e in heard] == [(PaymentRefundedByProvider, 7, 5360)]
    assert _held(db) == [("refunded", 5360, 5360)]


def test_a_paid_intent_cannot_be_paid_again(client, db, payer):
    payment = open_payment(db, payer)
    payer_clicks(client, payment)
    again = client.post(payment["redirect_url"], data={"action": "pay"}, follow_redirects=False)
    assert again.status_code == 409 and again.json()["code"] == "intent-not-payable"
    assert "无需再次支付" in client.get(payment["redirect_url"]).text


def test_a_refund_stays_within_what_is_held_and_its_callback_is_stale(client, db, payer):
    payment = open_payment(db, payer)
    payer_clicks(client, payment)
    deliver(client, outbox(db, payment)[0])
    payment_id = payments.payments_of(db, payable_kind=TEST_PAYABLE, payable_id=7)[0].id
    with pytest.raises(Conflict, match="超出可退金额"):
        payments.refund(db, payment_id=payment_id, amount_cents=5361, reason="多退")
    refund = payments.refund(db, payment_id=payment_id, amount_cents=2000, reason="部分退货")
    assert (refund.amount_cents, refund.provider_ref.startswith("re_")) == (2000, True)
    assert payments.refund_all(db, payable_kind=TEST_PAYABLE, payable_id=7, reason="全部退货") == 3360
    db.commit()
    with captured_events(PaymentRefundedByProvider) as heard:
        for callback in outbox(db, payment)[1:]:  # the provider's notices of our own refunds
            assert deliver(client, callback).json()["outcome"] == "stale"
    assert heard == [] and _held(db) == [("refunded", 5360, 5360)]


def test_closing_the_pending_intents_of_a_payable(client, db, payer):
    payment = open_payment(db, payer)
    paid = open_payment(db, payer)
    payer_clicks(client, paid)
    deliver(client, outbox(db, paid)[0])
    payments.cancel_pending(db, payable_kind=TEST_PAYABLE, payable_id=7)
    db.commit()
    assert sorted(_held(db)) == [("cancelled", 0, 0), ("succeeded", 5360, 0)]
    closed = client.post(payment["redirect_url"], data={"action": "pay"}, follow_redirects=False)
    assert closed.status_code == 409


def test_a_callback_for_no_payment_of_ours_changes_nothing(client, db, payer):
    body = json.dumps({"id": "evt_stranger", "type": "payment.succeeded", "created": int(utcnow().timestamp()),
                       "data": {"intent_id": "pi_nobody", "merchant_reference": "X", "status": "succeeded",
                                "amount_cents": 1, "captured_cents": 1, "refunded_cents": 0, "sequence": 2}})
    assert deliver(client, body).json()["outcome"] == "unknown-payment"
    assert deliver(client, body).json()["outcome"] == "duplicate"


def test_nothing_to_pay_and_unknown_providers_are_refused(db, payer):
    with pytest.raises(RuleViolation) as nothing:
        open_payment(db, payer, amount_cents=0)
    assert nothing.value.code == "nothing-to-pay"
    with pytest.raises(NotFound):
        payments.start_payment(db, payable_kind=TEST_PAYABLE, payable_id=8, payer_id=payer, amount_cents=100,
                               description="测试", reference="T-8", provider_name="cash", return_url="/home")
