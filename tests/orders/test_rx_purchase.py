"""Buying a prescription drug with an approved e-prescription: the cart keeps the prescription the line
was added with, checkout offers it, the buyer must acknowledge the risk warning (OD-03), and placing
the order claims the prescription (OD-02) so it cannot buy twice."""
import json
import re

from sqlalchemy import func, select

from healthhub.core.public_ids import decode
from healthhub.orders.models import Order
from healthhub.prescriptions import service as prescriptions
from tests.factories import pid
from tests.orders import builders
from tests.orders.conftest import PNG, Shop, order_body, place
from tests.orders.eprescriptions import approved_prescription, signed_prescription


def _shop_for(db, s) -> Shop:
    warehouse = builders.stock_location(db, code="WH-RXP")
    drug = builders.make_product(db, name="苯磺酸氨氯地平片", price_cents=3480, rx=True, stock=[(warehouse, 10)])
    otc = builders.make_product(db, name="布洛芬缓释胶囊", price_cents=2680, rx=False, stock=[(warehouse, 10)])
    shop = Shop(warehouse, otc, drug, 0, s.patient_user.id, builders.beijing_address(db, s.patient_user.id),
                s.patient_headers)
    db.commit()
    return shop


def _add(client, shop: Shop, quantity: int, prescription_id: int | None):
    return client.post("/api/v1/cart/items", headers=shop.headers,
                       json={"product_id": pid(shop.rx), "quantity": quantity, "prescription_id": prescription_id})


def test_cart_refuses_a_prescription_not_yet_approved(client, db):
    s, rx = signed_prescription(client, db, quantity=2)
    shop = _shop_for(db, s)
    response = _add(client, shop, 1, rx["id"])
    assert response.status_code == 422 and response.json()["code"] == "rx-not-usable"
    assert client.get("/api/v1/cart", headers=shop.headers).json()["count"] == 0


def test_cart_carries_the_prescription_to_checkout_and_the_order_claims_it(client, db):
    s, rx = approved_prescription(client, db, quantity=2)
    shop = _shop_for(db, s)
    too_many = _add(client, shop, 3, rx["id"])
    assert too_many.status_code == 422 and too_many.json()["code"] == "rx-quantity-exceeded"
    cart = _add(client, shop, 2, rx["id"]).json()
    assert cart["prescription_id"] == rx["id"] and cart["rx_lines"][0]["prescription_id"] == rx["id"]

    page = client.get("/checkout", headers=shop.headers).text
    data = json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page, re.S)[1])
    assert data == {"items": [{"product_id": pid(shop.rx), "quantity": 2}]}
    assert 'data-testid="rx-risk-ack"' in page
    preview = client.post("/api/v1/checkout/preview", json=order_body(shop, (shop.rx, 2)), headers=shop.headers).json()
    assert preview["rx_risk_warning"]
    assert [(o["source"], o["ref"], o["covers"]) for o in preview["rx_options"]] == [("eprescription", rx["id"], True)]
    assert (preview["rx_preselected"]["source"], preview["rx_preselected"]["ref"]) == ("eprescription", rx["id"])

    choice = {"source": "eprescription", "ref": rx["id"]}
    refused = place(client, shop, (shop.rx, 2), key="rx-no-ack-0001", rx=choice, acknowledged=False)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "rx-risk-not-acknowledged" and "OD-03" in problem["detail"]
    assert "rx_risk_acknowledged" in problem["detail"]
    assert db.execute(select(func.count()).select_from(Order)).scalar() == 0
    assert prescriptions.get_prescription(db, prescription_id=decode(rx["id"])).status == "APPROVED"
    assert builders.available(db, shop.rx, shop.warehouse) == 10

    placed = place(client, shop, (shop.rx, 2), key="rx-ack-order-1", rx=choice)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["rx_claimed"] and order["rx_ref"] == rx["id"] and order["rx_risk_acknowledged_at"]
    assert "买家已确认处方药风险提示" in order["history"][0]["note"]
    used = prescriptions.get_prescription(db, prescription_id=decode(rx["id"]))
    assert used.status == "USED" and used.used_order_ref == order["order_no"]
    assert client.get("/api/v1/cart", headers=shop.headers).json()["count"] == 0
    detail = client.get(f"/api/v1/catalog/products/{pid(shop.rx)}", headers=shop.headers).json()
    assert detail["insert_hidden_reason"] and detail["rx_prescription_id"] is None  # used: unlocks nothing
    again = _add(client, shop, 1, rx["id"])
    assert again.status_code == 422 and again.json()["code"] == "rx-not-usable"


def test_otc_orders_need_no_acknowledgement_and_uploads_do(client, db, shop):
    assert place(client, shop, (shop.otc, 1), key="otc-no-ack-001").status_code == 201
    upload = client.post("/api/v1/rx-uploads", files={"file": ("rx.png", PNG, "image/png")}, headers=shop.headers)
    response = place(client, shop, (shop.rx, 1), key="upload-no-ack1", acknowledged=False,
                     rx={"source": "upload", "ref": upload.json()["id"]})
    assert response.status_code == 422 and response.json()["code"] == "rx-risk-not-acknowledged"
