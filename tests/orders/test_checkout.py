"""Placing orders: idempotency, price snapshot, routing plan per shipment, rules, all-or-nothing."""
from sqlalchemy import func, select

from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict
from healthhub.orders import checkout, lifecycle
from healthhub.orders.models import Order
from healthhub.core.public_ids import decode
from tests.factories import pid
from tests.orders import builders
from tests.orders.conftest import order_body, place


def test_same_key_same_order_other_body_409_and_key_required(client, db, shop):
    first = place(client, shop, (shop.otc, 2), key="idem-key-0001")
    assert first.status_code == 201, first.text
    again = place(client, shop, (shop.otc, 2), key="idem-key-0001")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = place(client, shop, (shop.otc, 3), key="idem-key-0001")
    assert other.status_code == 409 and other.json()["code"] == "idempotency-key-reused"
    missing = client.post("/api/v1/orders", json=order_body(shop, (shop.otc, 1)), headers=shop.headers)
    assert missing.status_code == 422 and missing.headers["content-type"] == "application/problem+json"
    assert db.execute(select(func.count()).select_from(Order).where(Order.buyer_id == shop.buyer_id)).scalar() == 1
    assert builders.available(db, shop.otc, shop.warehouse) == 18  # reserved once, not twice


def test_order_freezes_prices_and_shows_channel_eta_and_reason(client, db, shop):
    order = place(client, shop, (shop.otc, 2)).json()
    assert order["status"] == "pending_payment" and order["total_cents"] == 2 * 2680
    shipment = order["shipments"][0]
    assert shipment["channel"] in ("instant", "warehouse", "merchant")
    assert shipment["eta_text"] and shipment["reason_zh"] and shipment["channel_label"]
    assert shipment["lines"][0]["unit_price_cents"] == 2680
    builders.set_price(db, shop.otc, 9999)
    assert client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers).json()["total_cents"] == 5360


def test_checkout_preview_shows_the_plan_without_reserving(client, db, shop):
    response = client.post("/api/v1/checkout/preview", json=order_body(shop, (shop.otc, 1), (shop.rx, 1)),
                           headers=shop.headers)
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["rx_required"] and preview["rx_drugs"] == ["阿莫西林胶囊 ×1"]
    assert preview["total_cents"] == 2680 + 1480
    assert all(s["eta_text"] and s["reason_zh"] for s in preview["shipments"])
    assert builders.available(db, shop.otc, shop.warehouse) == 20


def test_special_management_drug_is_refused_with_the_rule(client, db, shop):
    response = place(client, shop, (shop.otc, 1), (shop.banned, 1))
    assert response.status_code == 422
    assert response.json()["type"].endswith(response.json()["code"])
    assert "OD-01" in response.json()["detail"] or "特殊管理" in response.json()["detail"]
    assert db.execute(select(func.count()).select_from(Order)).scalar() == 0


def test_rx_line_without_prescription_is_refused(client, db, shop):
    response = place(client, shop, (shop.rx, 1))
    assert response.status_code == 422
    assert response.json()["code"] == "rx-required"
    assert "处方药需凭有效处方购买 (RX-01/OD-02)" in response.json()["detail"]
    assert builders.available(db, shop.rx, shop.warehouse) == 10


def test_stock_gone_before_second_shipment_leaves_no_order_and_no_hold(db, shop):
    store = builders.stock_location(db, code="WH-BJ-2")
    scarce = builders.make_product(db, name="维生素C泡腾片", price_cents=3500, rx=False, stock=[(store, 1)])
    address = builders.address_row(db, shop.buyer_id, shop.address_id)
    now = utcnow()
    plan = checkout.plan_checkout(db, now=now, address=address, items=[checkout.OrderItem(shop.otc, 1),
                                                                      checkout.OrderItem(scarce, 1)])
    assert len(plan.shipments) == 2 and plan.shipments[-1].location_id == store
    other_buyer, other_address = builders.make_buyer(db, username="rival_buyer")
    lifecycle.create_order(db, buyer_id=other_buyer, address_id=other_address, rx=None, now=now,
                           items=[checkout.OrderItem(scarce, 1)])
    try:
        lifecycle.place_order(db, buyer_id=shop.buyer_id, address=address, plan=plan, rx=None, now=now)
        raise AssertionError("the order should have failed")
    except Conflict as exc:
        assert exc.code == "out-of-stock"
    assert db.execute(select(func.count()).select_from(Order).where(Order.buyer_id == shop.buyer_id)).scalar() == 0
    assert builders.available(db, shop.otc, shop.warehouse) == 20  # the first shipment's hold is gone too


def test_out_of_stock_is_a_clear_conflict(client, db, shop):
    response = place(client, shop, (shop.otc, 50))
    assert response.status_code == 409 and response.json()["code"] == "out-of-stock"


def test_quantity_and_auth_are_checked(client, staff_headers, shop):
    bad = place(client, shop, (shop.otc, 0))
    assert bad.status_code == 422 and bad.json()["code"] == "validation-error"
    assert client.post("/api/v1/orders", json=order_body(shop, (shop.otc, 1)),
                       headers={"Idempotency-Key": "no-auth-00001"}).status_code == 401
    pharmacist_headers = staff_headers("pharmacist")
    forbidden = client.post("/api/v1/orders", json=order_body(shop, (shop.otc, 1)),
                            headers={**pharmacist_headers, "Idempotency-Key": "pharm-key-001"})
    assert forbidden.status_code == 403


def test_other_patients_cannot_see_an_order(client, staff_headers, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    other_headers = staff_headers("patient")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=other_headers).status_code == 404
    listing = client.get("/api/v1/orders", headers=other_headers).json()
    assert listing["total"] == 0


def test_orders_are_addressed_by_public_id_never_by_key(client, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    key = decode(order["id"])
    assert key is not None and pid(key) == order["id"]
    assert client.get(f"/api/v1/orders/{key}", headers=shop.headers).status_code == 404
    assert client.get(f"/orders/{key}", headers=shop.headers).status_code == 404
    assert client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers).json()["order_no"] == order["order_no"]
