"""Sandbox payments: signed asynchronous callbacks, duplicates applied once, out-of-order events."""
from sqlalchemy import func, select

from healthhub.core.audit import AuditEntry
from healthhub.core.public_ids import decode
from healthhub.orders.models import Payment
from healthhub.orders.payments.sandbox import sandbox, signed_headers
from tests.orders import builders
from tests.orders.conftest import buyer_clicks, deliver, event_type, get_order, outbox, paid_order, place, start_payment


def test_pay_page_then_signed_callback_allocates_the_order(client, db, shop):
    order = place(client, shop, (shop.otc, 2)).json()
    payment = start_payment(client, shop, order["id"])
    assert payment["redirect_url"].startswith("/pay/sandbox/pi_")
    page = client.get(payment["redirect_url"])
    assert page.status_code == 200 and "¥53.60" in page.text
    buyer_clicks(client, payment)
    assert get_order(client, shop, order["id"])["status"] == "pending_payment"  # nothing until the callback
    [callback] = outbox(db, payment)
    assert event_type(callback) == "payment.succeeded"
    assert deliver(client, callback).json() == {"received": True, "outcome": "applied"}
    after = get_order(client, shop, order["id"])
    assert after["status"] == "allocated" and after["paid_cents"] == 5360
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 18


def test_payment_start_is_idempotent(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    first = start_payment(client, shop, order["id"], key="same-pay-key-1")
    again = start_payment(client, shop, order["id"], key="same-pay-key-1")
    assert first == again
    payments = select(func.count()).select_from(Payment).where(Payment.order_id == decode(order["id"]))
    assert db.execute(payments).scalar() == 1


def test_duplicate_callback_is_applied_once(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    payment = start_payment(client, shop, order["id"])
    buyer_clicks(client, payment)
    [callback] = outbox(db, payment)
    audits_before = db.execute(select(func.count()).select_from(AuditEntry)).scalar()
    assert deliver(client, callback).json()["outcome"] == "applied"
    audits_after_first = db.execute(select(func.count()).select_from(AuditEntry)).scalar()
    assert deliver(client, callback).json()["outcome"] == "duplicate"
    assert deliver(client, callback).json()["outcome"] == "duplicate"
    after = get_order(client, shop, order["id"])
    assert after["paid_cents"] == 2680 and after["status"] == "allocated"
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 19
    assert db.execute(select(func.count()).select_from(AuditEntry)).scalar() == audits_after_first > audits_before


def test_bad_or_stale_signature_is_rejected_with_problem_json(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    payment = start_payment(client, shop, order["id"])
    buyer_clicks(client, payment)
    [callback] = outbox(db, payment)
    forged = deliver(client, callback, **{"X-Sandbox-Signature": "v1=" + "ab" * 32})
    assert forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
    assert forged.json()["code"] == "bad-signature"
    tampered_body = callback.body.replace('"captured_cents":2680', '"captured_cents":1')
    headers = signed_headers(callback.body.encode())
    tampered = client.post("/api/v1/payments/callbacks/sandbox", content=tampered_body.encode(), headers=headers)
    assert tampered.status_code == 401
    old = deliver(client, callback, **{"X-Sandbox-Timestamp": "1000000000"})
    assert old.status_code == 401  # the signature covers the timestamp, so an edited one fails too
    assert get_order(client, shop, order["id"])["status"] == "pending_payment"


def test_refund_overtaking_success_cancels_and_the_late_success_is_ignored(client, db, shop):
    order = place(client, shop, (shop.otc, 3)).json()
    payment = start_payment(client, shop, order["id"])
    buyer_clicks(client, payment)
    intent_id = payment["redirect_url"].rsplit("/", 1)[1]
    sandbox.refund(db, provider_ref=intent_id, amount_cents=3 * 2680, reason="商户后台退款")  # provider side
    succeeded, refunded = outbox(db, payment)
    assert (event_type(succeeded), event_type(refunded)) == ("payment.succeeded", "refund.succeeded")
    assert deliver(client, refunded).json()["outcome"] == "applied"
    assert deliver(client, succeeded).json()["outcome"] == "stale"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "cancelled"
    assert (after["paid_cents"], after["refunded_cents"]) == (3 * 2680, 3 * 2680)
    assert builders.available(db, shop.otc, shop.warehouse) == 20 and builders.on_hand(db, shop.otc, shop.warehouse) == 20


def test_payment_arriving_after_cancellation_is_refunded_exactly_once(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    payment = start_payment(client, shop, order["id"])
    buyer_clicks(client, payment)  # paid at the provider, our callback not yet received
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "不想要了"},
                            headers={**shop.headers, "Idempotency-Key": "cancel-key-001"})
    assert cancelled.status_code == 200, cancelled.text
    for callback in outbox(db, payment):
        assert deliver(client, callback).json()["outcome"] == "stale"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "cancelled"
    assert after["paid_cents"] == after["refunded_cents"] == 2680
    assert sandbox.get_intent(db, payment["redirect_url"].rsplit("/", 1)[1]).refunded_cents == 2680


def test_second_successful_payment_is_refunded_automatically(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    first = start_payment(client, shop, order["id"], key="pay-first-0001")
    second = start_payment(client, shop, order["id"], key="pay-second-001")
    buyer_clicks(client, first)
    buyer_clicks(client, second)
    assert deliver(client, outbox(db, first)[0]).json()["outcome"] == "applied"
    assert deliver(client, outbox(db, second)[0]).json()["outcome"] == "applied"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "allocated"
    assert after["paid_cents"] - after["refunded_cents"] == 2680
    assert {p["status"] for p in after["payments"]} == {"succeeded", "refunded"}


def test_failed_payment_leaves_the_order_payable(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    payment = start_payment(client, shop, order["id"])
    buyer_clicks(client, payment, action="fail")
    assert deliver(client, outbox(db, payment)[0]).json()["outcome"] == "applied"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "pending_payment" and after["payments"][0]["status"] == "failed"
    retry = start_payment(client, shop, order["id"], key="pay-retry-0001")
    buyer_clicks(client, retry)
    deliver(client, outbox(db, retry)[0])
    assert get_order(client, shop, order["id"])["status"] == "allocated"


def test_paid_intent_cannot_be_paid_again(client, db, shop):
    order = paid_order(client, db, shop, (shop.otc, 1))
    intent = order["payments"][0]["redirect_url"]
    again = client.post(intent, data={"action": "pay"}, follow_redirects=False)
    assert again.status_code == 409
