from datetime import date, timedelta

from sqlalchemy import select

from healthhub.core.db import utcnow
from healthhub.inventory.models import StockBatch
from tests.factories import pid

EXPIRY = (date.today() + timedelta(days=400)).isoformat()


def _receipt(location_id, product_id, **changes):
    return {"location_id": pid(location_id), "product_id": pid(product_id), "batch_no": "L2026001",
            "expiry_date": EXPIRY,
            "quantity": 20, "unit_cost_cents": 800, **changes}


def test_partner_receives_stock_idempotently_into_own_location_only(client, db, make_user, product, location):
    partner, headers = make_user("partner_pharmacy")
    own = location("pharmacy", owner_user_id=partner.id)
    other = location("pharmacy")
    product_id = product()
    key = {**headers, "Idempotency-Key": "receipt-0001"}
    first = client.post("/api/v1/inventory/receipts", json=_receipt(own.id, product_id), headers=key)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/inventory/receipts", json=_receipt(own.id, product_id), headers=key)
    assert again.json() == first.json()
    assert db.execute(select(StockBatch.on_hand).where(StockBatch.location_id == own.id)).scalar_one() == 20
    reused = client.post("/api/v1/inventory/receipts", json=_receipt(own.id, product_id, quantity=5), headers=key)
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency-key-reused"
    foreign = client.post("/api/v1/inventory/receipts", json=_receipt(other.id, product_id),
                          headers={**headers, "Idempotency-Key": "receipt-0002"})
    assert foreign.status_code == 404 and foreign.headers["content-type"] == "application/problem+json"
    assert foreign.json()["code"] == "location-not-found"  # like a missing location: ids cannot be probed
    assert client.post("/api/v1/inventory/receipts", json=_receipt(own.id, product_id)).status_code == 401
    no_key = client.post("/api/v1/inventory/receipts", json=_receipt(own.id, product_id), headers=headers)
    assert no_key.status_code == 422 and no_key.json()["errors"][0]["field"] == "Idempotency-Key"


def test_patients_may_not_receive_and_bad_input_is_explained(client, db, make_user, product, location):
    _, patient = make_user("patient")
    store = location("warehouse")
    product_id = product()
    assert client.post("/api/v1/inventory/receipts", json=_receipt(store.id, product_id),
                       headers={**patient, "Idempotency-Key": "receipt-0003"}).status_code == 403
    _, operator = make_user("operator")
    db.commit()
    expired = client.post("/api/v1/inventory/receipts", json=_receipt(store.id, product_id, expiry_date="2020-01-01"),
                          headers={**operator, "Idempotency-Key": "receipt-0004"})
    assert expired.status_code == 422, expired.text
    assert expired.json()["code"] == "expired-receipt"
    negative = client.post("/api/v1/inventory/receipts", json=_receipt(store.id, product_id, quantity=-1),
                           headers={**operator, "Idempotency-Key": "receipt-0005"})
    assert negative.status_code == 422 and negative.json()["code"] == "validation-error"


def test_write_off_cannot_touch_reserved_units(client, make_user, product, location, stock):
    _, operator = make_user("operator")
    batch = stock(location("warehouse"), product(), 5, date.today() + timedelta(days=10))
    too_many = client.post("/api/v1/inventory/write-offs",
                           json={"batch_id": pid(batch.id), "quantity": 6, "reason": "破损"},
                           headers={**operator, "Idempotency-Key": "writeoff-001"})
    assert too_many.status_code == 422 and too_many.json()["code"] == "write-off-exceeds-free-stock"
    done = client.post("/api/v1/inventory/write-offs",
                       json={"batch_id": pid(batch.id), "quantity": 2, "reason": "临期报损"},
                       headers={**operator, "Idempotency-Key": "writeoff-002"})
    assert done.status_code == 201 and done.json()["quantity"] == -2
    near = client.get("/api/v1/inventory/near-expiry", headers=operator).json()
    assert any(item["id"] == pid(batch.id) and item["on_hand"] == 3 and not item["sellable"] for item in near["items"])


def test_lists_are_paginated_and_scoped(client, make_user, product, location, stock):
    merchant, headers = make_user("merchant")
    own = location("merchant", owner_user_id=merchant.id)
    for n in range(3):
        stock(own, product(), 4, date.today() + timedelta(days=200 + n))
    stock(location("warehouse"), product(), 1, date.today() + timedelta(days=5))
    page = client.get(f"/api/v1/inventory/locations/{pid(own.id)}/batches?size=2", headers=headers).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert client.get("/api/v1/inventory/near-expiry", headers=headers).json()["total"] == 0
    mine = client.get("/api/v1/inventory/locations", headers=headers).json()
    assert [loc["id"] for loc in mine["items"]] == [pid(own.id)]
    # The sequential key names nothing: only the public id reaches the location.
    assert client.get(f"/api/v1/inventory/locations/{own.id}/batches", headers=headers).status_code == 404


def test_stock_outs_and_turnover_for_operators(client, make_user, product, location, stock):
    _, operator = make_user("operator")
    store, product_id = location("warehouse"), product()
    stock(store, product_id, 4, date.today() + timedelta(days=3))  # only near-expiry stock: nothing sellable
    outs = client.get("/api/v1/inventory/stock-outs", headers=operator).json()
    assert any(o["product_id"] == pid(product_id) and o["location_id"] == pid(store.id) for o in outs["items"])
    today = utcnow().date().isoformat()
    body = client.get(f"/api/v1/inventory/turnover?start={today}&end={today}", headers=operator).json()
    assert body["turnover_days"] is None
    _, patient = make_user("patient")
    assert client.get(f"/api/v1/inventory/turnover?start={today}&end={today}", headers=patient).status_code == 403


def test_route_preview_explains_the_channel(client, make_user, product, location, stock):
    _, operator = make_user("operator")
    product_id = product()
    stock(location("pharmacy", name="金象大药房（测试店）", lat=39.9150, lng=116.3975), product_id, 3,
          date.today() + timedelta(days=300))
    response = client.post("/api/v1/inventory/route-preview", headers=operator, json={
        "lines": [{"product_id": pid(product_id), "quantity": 1}], "lat": 39.9087, "lng": 116.3975,
        "city_adcode": "110105"})
    assert response.status_code == 200, response.text
    shipment = response.json()["shipments"][0]
    assert shipment["channel"] == "instant" and "金象大药房（测试店）" in shipment["reason_zh"]
    unknown = client.post("/api/v1/inventory/route-preview", headers=operator, json={
        "lines": [{"product_id": pid(99999999), "quantity": 1}], "lat": 39.9, "lng": 116.4, "city_adcode": "110105"})
    assert unknown.status_code == 404


def test_route_preview_does_not_tell_buyers_or_merchants_which_stores_hold_stock(client, make_user, product,
                                                                                  location, stock):
    product_id = product()
    stock(location("pharmacy", name="金象大药房（测试店）"), product_id, 3, date.today() + timedelta(days=300))
    body = {"lines": [{"product_id": pid(product_id), "quantity": 1}], "lat": 39.9087, "lng": 116.3975,
            "city_adcode": "110105"}
    for role in ("patient", "merchant", "partner_pharmacy"):
        _, headers = make_user(role)
        refused = client.post("/api/v1/inventory/route-preview", headers=headers, json=body)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden-role", role
        assert "金象" not in refused.text
