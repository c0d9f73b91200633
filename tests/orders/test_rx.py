"""Prescription gating for Rx lines: uploaded images reviewed by a pharmacist, and e-prescriptions."""
from datetime import datetime, timedelta

import pytest

from healthhub.core.dates import local_today
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict
from healthhub.core.public_ids import decode
from healthhub.inventory import service as inventory
from healthhub.orders import checkout, lifecycle
from healthhub.orders.checkout import OrderItem
from healthhub.orders.lifecycle import RESERVATION_TTL
from tests.orders import builders
from tests.orders.conftest import PNG, get_order, place, start_payment
from tests.payments.sandbox import deliver, outbox, payer_clicks


def _upload(client, shop, data: bytes = PNG, name: str = "rx.png", content_type: str = "image/png"):
    return client.post("/api/v1/rx-uploads", files={"file": (name, data, content_type)}, headers=shop.headers)


def _approve(client, upload_id: int, headers: dict, *, quantity: int = 2, issued=None, valid=None):
    today = local_today()
    return client.post(f"/api/v1/rx-uploads/{upload_id}/approve", headers=headers, json={
        "issued_on": str(issued or today), "valid_until": str(valid or today),
        "items": [{"knowledge_key": "amoxicillin", "drug_name": "阿莫西林胶囊", "quantity": quantity}]})


def test_upload_checks_type_and_size(client, shop):
    assert _upload(client, shop).status_code == 201
    gif = _upload(client, shop, data=b"GIF89a" + bytes(200), name="rx.png")
    assert gif.status_code == 415 and gif.json()["code"] == "upload-unsupported-type"
    huge = _upload(client, shop, data=PNG + bytes(5 * 1024 * 1024))
    assert huge.status_code == 413


def test_uploaded_prescription_waits_for_the_pharmacist_then_allocates(client, db, shop, staff_headers):
    upload = _upload(client, shop).json()
    order = place(client, shop, (shop.rx, 2), (shop.otc, 1), rx={"source": "upload", "ref": upload["id"]}).json()
    assert order["requires_rx"] and not order["rx_claimed"]
    payment = start_payment(client, shop, order["id"])
    payer_clicks(client, payment)
    deliver(client, outbox(db, payment)[0])
    assert get_order(client, shop, order["id"])["status"] == "awaiting_prescription"
    assert builders.on_hand(db, shop.rx, shop.warehouse) == 10  # nothing leaves before the prescription passes
    pharmacist = staff_headers("pharmacist")
    page = client.get(f"/pharmacist/rx-uploads/{upload['id']}", headers=pharmacist)
    assert page.status_code == 200 and order["order_no"] in page.text
    assert client.get(f"/api/v1/rx-uploads/{upload['id']}/image", headers=pharmacist).content == PNG
    approved = _approve(client, upload["id"], pharmacist)
    assert approved.status_code == 200, approved.text
    after = get_order(client, shop, order["id"])
    assert after["status"] == "allocated" and after["rx_claimed"]
    assert builders.on_hand(db, shop.rx, shop.warehouse) == 8
    reused = place(client, shop, (shop.rx, 1), key="reuse-key-0001", rx={"source": "upload", "ref": upload["id"]})
    assert reused.status_code == 422 and reused.json()["code"] == "rx-already-used"


def test_approved_upload_not_covering_the_quantity_is_refused(client, shop, staff_headers):
    upload = _upload(client, shop).json()
    _approve(client, upload["id"], staff_headers("pharmacist"), quantity=1)
    response = place(client, shop, (shop.rx, 3), rx={"source": "upload", "ref": upload["id"]})
    assert response.status_code == 422 and response.json()["code"] == "rx-quantity-exceeded"


def test_expired_upload_is_refused(client, db, shop, staff_headers):
    upload = _upload(client, shop).json()
    today = local_today()
    assert _approve(client, upload["id"], staff_headers("pharmacist"), issued=today - timedelta(days=2),
                    valid=today).status_code == 200
    builders.age_upload(db, decode(upload["id"]), days=2)  # three days later the prescription has lapsed
    response = place(client, shop, (shop.rx, 1), rx={"source": "upload", "ref": upload["id"]})
    assert response.status_code == 422 and response.json()["code"] == "rx-expired"
    assert builders.available(db, shop.rx, shop.warehouse) == 10


def test_validity_beyond_three_days_and_other_patients_uploads_are_refused(client, shop, staff_headers):
    upload = _upload(client, shop).json()
    pharmacist = staff_headers("pharmacist")
    today = local_today()
    too_long = _approve(client, upload["id"], pharmacist, valid=today + timedelta(days=4))
    assert too_long.status_code == 422 and "RX-01" in too_long.json()["detail"]
    other_headers = staff_headers("patient")
    assert client.get(f"/api/v1/rx-uploads/{upload['id']}/image", headers=other_headers).status_code == 404
    assert client.post(f"/api/v1/rx-uploads/{upload['id']}/approve", headers=other_headers, json={
        "issued_on": str(today), "valid_until": str(today),
        "items": [{"knowledge_key": "amoxicillin", "drug_name": "阿莫西林胶囊", "quantity": 1}]}).status_code == 403


def test_rejected_upload_cancels_the_paid_order_and_refunds(client, db, shop, staff_headers):
    upload = _upload(client, shop).json()
    order = place(client, shop, (shop.rx, 1), rx={"source": "upload", "ref": upload["id"]}).json()
    payment = start_payment(client, shop, order["id"])
    payer_clicks(client, payment)
    deliver(client, outbox(db, payment)[0])
    response = client.post(f"/api/v1/rx-uploads/{upload['id']}/reject", json={"reason": "图片不清晰"},
                           headers=staff_headers("pharmacist"))
    assert response.status_code == 200
    after = get_order(client, shop, order["id"])
    assert after["status"] == "cancelled" and after["refunded_cents"] == after["paid_cents"] == 1480
    assert builders.available(db, shop.rx, shop.warehouse) == 10


def test_paid_order_waiting_for_the_pharmacist_keeps_its_stock(client, db, shop, staff_headers):
    upload = _upload(client, shop).json()
    order = place(client, shop, (shop.rx, 2), rx={"source": "upload", "ref": upload["id"]}).json()
    payment = start_payment(client, shop, order["id"])
    payer_clicks(client, payment)
    deliver(client, outbox(db, payment)[0])
    waiting = get_order(client, shop, order["id"])
    assert waiting["status"] == "awaiting_prescription"
    refs = [f"{order['order_no']}-{s['seq']}" for s in waiting["shipments"]]
    held = [v for ref in refs for v in inventory.reservations_for(db, order_ref=ref)]
    assert held and all(v.status == "held" and v.expires_at >= utcnow() + timedelta(days=2) for v in held)
    assert datetime.fromisoformat(waiting["reserved_until"]) >= utcnow() + timedelta(days=2)

    later = utcnow() + RESERVATION_TTL + timedelta(hours=1)  # long past the unpaid-checkout hold
    assert inventory.expire_reservations(db, now=later) == 0 and lifecycle.expire_unpaid(db, now=later) == 0
    address = builders.address_row(db, shop.buyer_id, shop.address_id)
    offered = checkout.plan_checkout(db, items=[OrderItem(shop.rx, 9)], address=address, now=later)
    assert [line.error.code for line in offered.blocked] == ["out-of-stock"]  # only the 8 units nobody holds ...
    with pytest.raises(Conflict):  # ... or can be reserved
        inventory.reserve(db, shipments=[inventory.ShipmentHold("RIVAL-1", [
            inventory.ReserveLine(shop.rx, shop.warehouse, 9)])], ttl=RESERVATION_TTL, now=later)
    assert builders.available(db, shop.rx, shop.warehouse) == 8
    db.commit()

    assert _approve(client, upload["id"], staff_headers("pharmacist")).status_code == 200
    after = get_order(client, shop, order["id"])
    assert after["status"] == "allocated" and builders.on_hand(db, shop.rx, shop.warehouse) == 8


def test_payment_after_the_hold_was_swept_takes_stock_again_or_refunds_at_once(client, db, shop):
    upload = _upload(client, shop).json()
    choice = {"source": "upload", "ref": upload["id"]}
    first = place(client, shop, (shop.rx, 2), key="swept-order-01", rx=choice).json()
    second = place(client, shop, (shop.rx, 2), key="swept-order-02", rx=choice).json()
    swept_at = utcnow() + RESERVATION_TTL + timedelta(seconds=1)
    assert inventory.expire_reservations(db, now=swept_at) == 2  # both holds gone, the orders still payable
    inventory.reserve(db, shipments=[inventory.ShipmentHold("RIVAL-2", [
        inventory.ReserveLine(shop.rx, shop.warehouse, 8)])], ttl=timedelta(days=1), now=swept_at)
    db.commit()

    for order, key in ((first, "pay-swept-01"), (second, "pay-swept-02")):
        payment = start_payment(client, shop, order["id"], key=key)
        payer_clicks(client, payment)
        deliver(client, outbox(db, payment)[0])
    assert get_order(client, shop, first["id"])["status"] == "awaiting_prescription"  # took the 2 free units again
    refused = get_order(client, shop, second["id"])
    assert refused["status"] == "cancelled" and refused["refunded_cents"] == refused["paid_cents"] == 2 * 1480
    assert builders.available(db, shop.rx, shop.warehouse) == 0
