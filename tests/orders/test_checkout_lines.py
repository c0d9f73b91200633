"""Checkout as the buyer meets it: a line that cannot be bought is explained on that line while the rest of
the cart stays buyable; only a prescription that covers the cart's Rx lines is pre-selected; the patient
sees when the prescription expires (RX-01)."""
from datetime import date

from healthhub.core.dates import local_today
from healthhub.core.db import utcnow
from healthhub.core.public_ids import decode
from healthhub.prescriptions import service as prescriptions
from tests.factories import pid
from tests.orders import builders
from tests.orders.conftest import PNG, Shop, order_body, place
from tests.orders.eprescriptions import approved_prescription

UNMATCHABLE = "自拟处方合剂"  # an Rx product the knowledge base does not know: no knowledge key


def _add(client, shop: Shop, product_id: int, quantity: int = 1, prescription_id: str | None = None) -> dict:
    response = client.post("/api/v1/cart/items", headers=shop.headers, json={
        "product_id": pid(product_id), "quantity": quantity, "prescription_id": prescription_id})
    assert response.status_code == 201, response.text
    return response.json()


def _preview(client, shop: Shop, *items: tuple[int, int]) -> dict:
    response = client.post("/api/v1/checkout/preview", json=order_body(shop, *items), headers=shop.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_unmatchable_rx_line_is_explained_on_its_line_and_the_rest_can_be_ordered(client, db, shop):
    unmatchable = builders.make_product(db, name=UNMATCHABLE, price_cents=1200, rx=True, stock=[(shop.warehouse, 5)])
    db.commit()
    _add(client, shop, shop.otc, 2)
    cart = _add(client, shop, unmatchable)
    [line] = cart["rx_lines"]
    assert not line["sellable"] and "缺少药品标识，无法核对处方" in line["problem"]
    assert cart["subtotal_cents"] == 2 * 2680  # the refused line is not charged

    page = client.get("/checkout", headers=shop.headers).text
    assert 'data-testid="blocked-line"' in page and "缺少药品标识" in page and 'data-testid="plan"' in page
    cart_page = client.get("/cart", headers=shop.headers).text
    assert 'data-testid="cart-line-problem"' in cart_page and "不影响其他商品结算" in cart_page

    preview = _preview(client, shop, (shop.otc, 2), (unmatchable, 1))
    assert [(b["product_id"], b["name"]) for b in preview["blocked"]] == [(pid(unmatchable), UNMATCHABLE)]
    assert "缺少药品标识" in preview["blocked"][0]["reason"]
    assert [line["product_id"] for line in preview["lines"]] == [pid(shop.otc)] and preview["shipments"]
    assert not preview["rx_required"] and preview["total_cents"] == 2 * 2680

    refused = place(client, shop, (shop.otc, 2), (unmatchable, 1), key="blocked-line-01")
    assert refused.status_code == 422 and refused.json()["code"] == "rx-unmatchable"
    placed = place(client, shop, (shop.otc, 2), key="blocked-line-02")
    assert placed.status_code == 201, placed.text
    remaining = client.get("/api/v1/cart", headers=shop.headers).json()
    assert [x["product_id"] for x in remaining["rx_lines"]] == [pid(unmatchable)] and not remaining["otc_lines"]


def test_banned_and_undeliverable_lines_do_not_stop_the_plan(client, shop):
    preview = _preview(client, shop, (shop.otc, 1), (shop.banned, 1), (shop.rx, 50))
    reasons = {b["product_id"]: b["reason"] for b in preview["blocked"]}
    assert set(reasons) == {pid(shop.banned), pid(shop.rx)}
    assert "无法配送" in reasons[pid(shop.rx)]
    assert [line["product_id"] for line in preview["lines"]] == [pid(shop.otc)] and preview["shipments"]
    refused = place(client, shop, (shop.otc, 1), (shop.rx, 50), key="blocked-stock-1")
    assert refused.status_code == 409 and refused.json()["code"] == "out-of-stock"


def test_checkout_preselects_only_a_prescription_that_covers_the_rx_lines(client, db, staff_headers):
    s, rx = approved_prescription(client, db, quantity=2)  # amlodipine
    warehouse = builders.stock_location(db, code="WH-PRESEL")
    amoxicillin = builders.make_product(db, name="阿莫西林胶囊", price_cents=1480, rx=True, stock=[(warehouse, 10)])
    amlodipine = builders.make_product(db, name="苯磺酸氨氯地平片", price_cents=3480, rx=True, stock=[(warehouse, 10)])
    shop = Shop(warehouse, 0, amoxicillin, 0, s.patient_user.id, builders.beijing_address(db, s.patient_user.id),
                s.patient_headers)
    db.commit()

    unrelated = _preview(client, shop, (amoxicillin, 1))
    assert [(o["ref"], o["covers"]) for o in unrelated["rx_options"]] == [(rx["id"], False)]
    assert unrelated["rx_preselected"] is None  # the amlodipine prescription is offered, never chosen for the buyer

    too_many = _preview(client, shop, (amlodipine, 3))
    assert too_many["rx_preselected"] is None  # covers the drug, not the quantity

    covered = _preview(client, shop, (amlodipine, 2))
    assert (covered["rx_preselected"]["source"], covered["rx_preselected"]["ref"]) == ("eprescription", rx["id"])

    upload = client.post("/api/v1/rx-uploads", files={"file": ("rx.png", PNG, "image/png")}, headers=shop.headers)
    staff = staff_headers("pharmacist")
    today = local_today().isoformat()
    approved = client.post(f"/api/v1/rx-uploads/{upload.json()['id']}/approve", headers=staff, json={
        "issued_on": today, "valid_until": today,
        "items": [{"knowledge_key": "amoxicillin", "drug_name": "阿莫西林胶囊", "quantity": 1}]})
    assert approved.status_code == 200, approved.text
    with_upload = _preview(client, shop, (amoxicillin, 1))
    assert (with_upload["rx_preselected"]["source"], with_upload["rx_preselected"]["ref"]) == (
        "upload", upload.json()["id"])


def test_prescriptions_default_to_the_longest_validity_and_show_when_they_expire(client, db):
    s, rx = approved_prescription(client, db, quantity=2)
    assert (date.fromisoformat(rx["valid_until"]) - date.fromisoformat(rx["issued_on"])).days == 3
    usable = prescriptions.get_prescription(db, prescription_id=decode(rx["id"]))
    label = prescriptions.expiry_label(usable.expires_at)
    assert label == f"{rx['valid_until']} 23:59"  # the last minute of the last valid day, in Beijing time

    detail = client.get(f"/prescriptions/{rx['id']}", headers=s.patient_headers).text
    assert f'data-testid="rx-expires">{label}' in detail
    listing = client.get("/prescriptions", headers=s.patient_headers).text
    assert label in listing

    warehouse = builders.stock_location(db, code="WH-EXPIRY")
    amlodipine = builders.make_product(db, name="苯磺酸氨氯地平片", price_cents=3480, rx=True, stock=[(warehouse, 5)])
    shop = Shop(warehouse, 0, amlodipine, 0, s.patient_user.id, builders.beijing_address(db, s.patient_user.id),
                s.patient_headers)
    db.commit()
    cart = _add(client, shop, amlodipine, 2, rx["id"])
    assert cart["rx_lines"][0]["prescription_expires_at"]
    cart_page = client.get("/cart", headers=shop.headers).text
    assert f"处方有效至 {label}" in cart_page
    assert utcnow() < usable.expires_at


def test_an_rx_product_page_leads_to_upload_and_the_approved_image_unlocks_buying(client, shop, staff_headers):
    product_page = client.get(f"/shop/products/{pid(shop.rx)}", headers=shop.headers).text
    assert f'href="/rx-uploads?product={pid(shop.rx)}"' in product_page and 'href="/consult"' in product_page
    page = client.get(f"/rx-uploads?product={pid(shop.rx)}", headers=shop.headers).text
    assert "上传处方：阿莫西林胶囊" in page and 'data-testid="rx-upload-buy"' not in page

    upload = client.post("/api/v1/rx-uploads", files={"file": ("rx.png", PNG, "image/png")}, headers=shop.headers)
    waiting = client.get("/rx-uploads", headers=shop.headers).text
    assert "待审核" in waiting and 'data-testid="add-to-cart"' not in waiting  # OD-03: no buy button before review
    today = local_today().isoformat()
    approved = client.post(f"/api/v1/rx-uploads/{upload.json()['id']}/approve", headers=staff_headers("pharmacist"),
                           json={"issued_on": today, "valid_until": today,
                                 "items": [{"knowledge_key": "amoxicillin", "drug_name": "阿莫西林胶囊", "quantity": 2}]})
    assert approved.status_code == 200, approved.text
    unlocked = client.get("/rx-uploads", headers=shop.headers).text
    assert f'data-product-id="{pid(shop.rx)}"' in unlocked and f"{today} 23:59" in unlocked
