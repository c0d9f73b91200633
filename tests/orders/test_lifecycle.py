"""After payment: shipments, delivery, completion, and the cancel / refund / expiry paths that return
stock and money exactly."""
from datetime import timedelta

from healthhub.core.db import utcnow
from healthhub.inventory import service as inventory
from healthhub.orders import lifecycle
from healthhub.orders.lifecycle import RESERVATION_TTL
from healthhub.payments.sandbox import sandbox
from tests.factories import pid
from tests.inventory.builders import moves_referencing
from tests.orders import builders
from tests.orders.conftest import get_order, paid_order, place, start_payment
from tests.payments.sandbox import pay_and_deliver


def _staff(staff_headers):
    return staff_headers("operator")


def _ship_all(client, order: dict, headers: dict) -> dict:
    for shipment in order["shipments"]:
        r = client.post(f"/api/v1/orders/{order['id']}/shipments/{shipment['id']}/dispatch",
                        json={"tracking_no": "SF1234567890"}, headers=headers)
        assert r.status_code == 200, r.text
    for shipment in order["shipments"]:
        r = client.post(f"/api/v1/orders/{order['id']}/shipments/{shipment['id']}/deliver", headers=headers)
        assert r.status_code == 200, r.text
    return r.json()


def test_cancel_after_allocation_returns_stock_and_refunds_exactly(client, db, shop):
    order = paid_order(client, db, shop, (shop.otc, 4))
    assert order["status"] == "allocated" and builders.on_hand(db, shop.otc, shop.warehouse) == 16
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "买错了"},
                           headers={**shop.headers, "Idempotency-Key": "cancel-paid-01"})
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["status"] == "cancelled" and after["refunded_cents"] == after["paid_cents"] == 4 * 2680
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 20
    assert builders.available(db, shop.otc, shop.warehouse) == 20
    intent = sandbox.get_intent(db, order["payments"][0]["redirect_url"].rsplit("/", 1)[1])
    assert (intent.captured_cents, intent.refunded_cents, intent.status) == (4 * 2680, 4 * 2680, "refunded")
    replay = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "买错了"},
                         headers={**shop.headers, "Idempotency-Key": "cancel-paid-01"})
    assert replay.json() == after  # a retried cancel refunds nothing more


def test_cancel_before_payment_releases_the_hold(client, db, shop):
    order = place(client, shop, (shop.otc, 5)).json()
    assert builders.available(db, shop.otc, shop.warehouse) == 15
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "不需要了"},
                           headers={**shop.headers, "Idempotency-Key": "cancel-unpaid"})
    assert response.json()["status"] == "cancelled" and response.json()["refunded_cents"] == 0
    assert builders.available(db, shop.otc, shop.warehouse) == 20


def test_full_path_to_completed_then_refund_restores_stock_and_money(client, db, shop, staff_headers):
    staff = _staff(staff_headers)
    order = paid_order(client, db, shop, (shop.otc, 3))
    delivered = _ship_all(client, order, staff)
    assert delivered["status"] == "delivered"
    assert [h["to_status"] for h in delivered["history"]][-3:] == ["allocated", "shipped", "delivered"]
    completed = client.post(f"/api/v1/orders/{order['id']}/complete", headers=shop.headers).json()
    assert completed["status"] == "completed"
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 17
    refunded = client.post(f"/api/v1/orders/{order['id']}/refund", json={"reason": "药品包装破损退货"},
                           headers={**staff, "Idempotency-Key": "refund-key-001"})
    assert refunded.status_code == 200, refunded.text
    body = refunded.json()
    assert body["status"] == "refunded" and body["refunded_cents"] == body["paid_cents"] == 3 * 2680
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 20
    assert {s["status"] for s in body["shipments"]} == {"returned"}


def test_cancel_after_dispatch_is_refused(client, db, shop, staff_headers):
    staff = _staff(staff_headers)
    order = paid_order(client, db, shop, (shop.otc, 1))
    shipment = order["shipments"][0]
    client.post(f"/api/v1/orders/{order['id']}/shipments/{shipment['id']}/dispatch", json={}, headers=staff)
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "晚了"},
                           headers={**shop.headers, "Idempotency-Key": "cancel-late-01"})
    assert response.status_code == 409 and response.json()["code"] == "illegal-order-transition"
    assert builders.on_hand(db, shop.otc, shop.warehouse) == 19


def test_shipping_an_unpaid_order_and_refunding_before_delivery_are_refused(client, shop, staff_headers):
    staff = _staff(staff_headers)
    order = place(client, shop, (shop.otc, 1)).json()
    dispatch = client.post(f"/api/v1/orders/{order['id']}/shipments/{order['shipments'][0]['id']}/dispatch",
                           json={}, headers=staff)
    assert dispatch.status_code == 409 and dispatch.json()["code"] == "illegal-shipment-transition"
    refund = client.post(f"/api/v1/orders/{order['id']}/refund", json={"reason": "x"},
                         headers={**staff, "Idempotency-Key": "refund-early-1"})
    assert refund.status_code == 409 and refund.json()["code"] == "illegal-order-transition"
    assert client.post(f"/api/v1/orders/{order['id']}/refund", json={"reason": "x"},
                       headers={**shop.headers, "Idempotency-Key": "refund-buyer-1"}).status_code == 403


def test_unpaid_order_expires_and_gives_its_stock_back(client, db, shop):
    order = place(client, shop, (shop.otc, 6)).json()
    assert lifecycle.expire_unpaid(db, now=utcnow()) == 0
    assert lifecycle.expire_unpaid(db, now=utcnow() + timedelta(minutes=16)) == 1
    after = get_order(client, shop, order["id"])
    assert after["status"] == "expired"
    assert builders.available(db, shop.otc, shop.warehouse) == 20


def test_one_order_splits_into_shipments_by_channel(client, db, shop):
    store = builders.stock_location(db, code="MER-3", kind="merchant")
    only_there = builders.make_product(db, name="医用外科口罩", price_cents=1990, rx=False, health=True,
                                       stock=[(store, 5)])
    db.commit()
    order = place(client, shop, (shop.otc, 1), (only_there, 2)).json()
    assert len(order["shipments"]) == 2
    assert {tuple(line["product_id"] for line in s["lines"]) for s in order["shipments"]} == {(pid(shop.otc),),
                                                                                              (pid(only_there),)}
    assert {s["channel"] for s in order["shipments"]} == {"warehouse", "merchant"}
    assert order["total_cents"] == 2680 + 2 * 1990


def test_allocation_sells_every_shipment_or_none(client, db, shop):
    """Paid after both holds were swept: the warehouse shipment could be taken again, the merchant's stock is
    gone. Nothing is sold (no sale and return moves for the first shipment) and the money goes back."""
    store = builders.stock_location(db, code="MER-4", kind="merchant")
    only_there = builders.make_product(db, name="医用外科口罩", price_cents=1990, rx=False, health=True,
                                       stock=[(store, 2)])
    db.commit()
    order = place(client, shop, (shop.otc, 1), (only_there, 2)).json()
    swept_at = utcnow() + RESERVATION_TTL + timedelta(seconds=1)
    assert inventory.expire_reservations(db, now=swept_at) == 2
    inventory.reserve(db, shipments=[inventory.ShipmentHold("RIVAL-4", [
        inventory.ReserveLine(only_there, store, 2)])], ttl=timedelta(days=1), now=swept_at)
    db.commit()

    assert pay_and_deliver(client, db, start_payment(client, shop, order["id"])) == "applied"
    after = get_order(client, shop, order["id"])
    assert after["status"] == "cancelled" and after["refunded_cents"] == after["paid_cents"] == 2680 + 2 * 1990
    assert after["history"][-1]["note"].startswith("配货失败：医用外科口罩")
    assert moves_referencing(db, [f"{order['order_no']}-{s['seq']}" for s in order["shipments"]]) == []
    assert builders.available(db, shop.otc, shop.warehouse) == 20 and builders.available(db, only_there, store) == 0


def test_order_pages_show_channel_eta_reason_and_timeline(client, db, shop, staff_headers):
    order = paid_order(client, db, shop, (shop.otc, 1))
    page = client.get(f"/orders/{order['id']}", headers=shop.headers)
    assert page.status_code == 200
    shipment = order["shipments"][0]
    for text in (shipment["channel_label"], shipment["eta_text"], shipment["reason_zh"], "待发货", order["order_no"]):
        assert text in page.text
    assert order["order_no"] in client.get("/orders", headers=shop.headers).text
    operator = staff_headers("operator")
    assert order["order_no"] in client.get("/admin/orders?status=allocated", headers=operator).text
    assert "发货" in client.get(f"/orders/{order['id']}", headers=operator).text
    assert client.get(f"/orders/{order['id']}", headers=staff_headers("patient")).status_code == 404
