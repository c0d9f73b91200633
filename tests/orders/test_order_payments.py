"""An order paid through the payments domain: the captured payment allocates it; a provider refund overtaking
the capture, a payment after cancellation and a second payment all give the money back exactly once.
(The payment mechanics themselves, for any payable: tests/payments/.)"""
from healthhub.core.config import get_settings
from healthhub.core.public_ids import decode
from healthhub.orders import service
from healthhub.payments.sandbox import sandbox
from tests.orders import builders
from tests.orders.conftest import get_order, place, start_payment
from tests.payments.sandbox import deliver, event_type, intent_id, outbox, payer_clicks


def test_pay_page_then_signed_callback_allocates_the_order(client, db, shop):
    order = place(client, shop, (shop.otc, 2)).json()
    payment = start_payment(client, shop, order["id"])
    assert payment["redirect_url"].startswith("/pay/sandbox/pi_")
    page = client.get(payment["redirect_url"])
    assert page.status_code == 200 and "¥53.60" in page.text and order["order_no"] in page.text
    payer_clicks(client, payment)
    assert get_order(client, shop, order["id"])["status"] == "pending_payment"  # nothing until the callback
    [callback] = outbox(db, payment)
    assert event_type(callback) == "payment.succeeded"
    assert deliver(client, callback).json() == {"received": True, "outcome": "applied"}
    after = get_order(client, shop, order["id"])
    assert after["status"] == "allocated" and after["paid_cents"] == 5360
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 18
    assert deliver(client, callback).json()["outcome"] == "duplicate"
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 18  # allocated once


def test_payment_start_is_idempotent(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    first = start_payment(client, shop, order["id"], key="same-pay-key-1")
    again = start_payment(client, shop, order["id"], key="same-pay-key-1")
    assert first == again
    assert len(service.order_payments(db, order_id=decode(order["id"]))) == 1


def test_a_forged_host_header_does_not_aim_the_callbacks(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    response = client.post(f"/api/v1/orders/{order['id']}/payments", json={"provider": "sandbox"},
                           headers={**shop.headers, "Idempotency-Key": "pay-key-forged", "Host": "evil.example"})
    assert response.status_code == 201, response.text
    payer_clicks(client, response.json())
    [callback] = outbox(db, response.json())
    assert callback.target_url.startswith(get_settings().public_url.rstrip("/") + "/")
    assert "evil.example" not in callback.target_url


def test_refund_overtaking_success_cancels_and_the_late_success_is_ignored(client, db, shop):
    order = place(client, shop, (shop.otc, 3)).json()
    payment = start_payment(client, shop, order["id"])
    payer_clicks(client, payment)
    sandbox.refund(db, provider_ref=intent_id(payment), amount_cents=3 * 2680, reason="商户后台退款")  # provider side
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
    payer_clicks(client, payment)  # paid at the provider, our callback not yet received
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "不想要了"},
                            headers={**shop.headers, "Idempotency-Key": "cancel-key-001"})
    assert cancelled.status_code == 200, cancelled.text
    for callback in outbox(db, payment):
        assert deliver(client, callback).json()["outcome"] == "stale"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "cancelled"
    assert after["paid_cents"] == after["refunded_cents"] == 2680
    assert sandbox.get_intent(db, intent_id(payment)).refunded_cents == 2680


def test_second_successful_payment_is_refunded_automatically(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    first = start_payment(client, shop, order["id"], key="pay-first-0001")
    second = start_payment(client, shop, order["id"], key="pay-second-001")
    payer_clicks(client, first)
    payer_clicks(client, second)
    assert deliver(client, outbox(db, first)[0]).json()["outcome"] == "applied"
    assert deliver(client, outbox(db, second)[0]).json()["outcome"] == "applied"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "allocated"
    assert after["paid_cents"] - after["refunded_cents"] == 2680
    assert {p["status"] for p in after["payments"]} == {"succeeded", "refunded"}


def test_failed_payment_leaves_the_order_payable(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    payment = start_payment(client, shop, order["id"])
    payer_clicks(client, payment, action="fail")
    assert deliver(client, outbox(db, payment)[0]).json()["outcome"] == "applied"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "pending_payment" and after["payments"][0]["status"] == "failed"
    retry = start_payment(client, shop, order["id"], key="pay-retry-0001")
    payer_clicks(client, retry)
    deliver(client, outbox(db, retry)[0])
    assert get_order(client, shop, order["id"])["status"] == "allocated"
