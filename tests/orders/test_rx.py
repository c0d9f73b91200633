"""Prescription gating for Rx lines: uploaded images reviewed by a pharmacist, and e-prescriptions."""
from datetime import timedelta

from healthhub.core.db import utcnow
from healthhub.orders import uploads
from tests.orders import builders
from tests.orders.conftest import PNG, buyer_clicks, deliver, get_order, outbox, place, start_payment


def _upload(client, shop, data: bytes = PNG, name: str = "rx.png", content_type: str = "image/png"):
    return client.post("/api/v1/rx-uploads", files={"file": (name, data, content_type)}, headers=shop.headers)


def _approve(client, upload_id: int, headers: dict, *, quantity: int = 2, issued=None, valid=None):
    today = uploads.china_today(utcnow())
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
    buyer_clicks(client, payment)
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
    today = uploads.china_today(utcnow())
    assert _approve(client, upload["id"], staff_headers("pharmacist"), issued=today - timedelta(days=2),
                    valid=today).status_code == 200
    builders.age_upload(db, upload["id"], days=2)  # three days later the prescription has lapsed
    response = place(client, shop, (shop.rx, 1), rx={"source": "upload", "ref": upload["id"]})
    assert response.status_code == 422 and response.json()["code"] == "rx-expired"
    assert builders.available(db, shop.rx, shop.warehouse) == 10


def test_validity_beyond_three_days_and_other_patients_uploads_are_refused(client, shop, staff_headers):
    upload = _upload(client, shop).json()
    pharmacist = staff_headers("pharmacist")
    today = uploads.china_today(utcnow())
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
    buyer_clicks(client, payment)
    deliver(client, outbox(db, payment)[0])
    response = client.post(f"/api/v1/rx-uploads/{upload['id']}/reject", json={"reason": "图片不清晰"},
                           headers=staff_headers("pharmacist"))
    assert response.status_code == 200
    after = get_order(client, shop, order["id"])
    assert after["status"] == "cancelled" and after["refunded_cents"] == after["paid_cents"] == 1480
    assert builders.available(db, shop.rx, shop.warehouse) == 10
