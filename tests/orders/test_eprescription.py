"""The e-prescription source of the Rx gate: an internet-hospital prescription approved by the pharmacist
review is claimed once (OD-02) when the order is placed, and released again when the order is cancelled."""
from tests.orders import builders
from tests.orders.conftest import Shop, get_order, place, start_payment
from tests.payments.sandbox import deliver, outbox, payer_clicks
from tests.orders.eprescriptions import approved_prescription


def test_approved_eprescription_is_claimed_once_and_released_on_cancel(client, db):
    s, rx = approved_prescription(client, db, quantity=2)
    warehouse = builders.stock_location(db, code="WH-ERX")
    drug = builders.make_product(db, name="苯磺酸氨氯地平片", price_cents=3260, rx=True, stock=[(warehouse, 10)])
    shop = Shop(warehouse, 0, drug, 0, s.patient_user.id, builders.beijing_address(db, s.patient_user.id),
                s.patient_headers)
    db.commit()
    choice = {"source": "eprescription", "ref": rx["id"]}

    too_many = place(client, shop, (drug, 3), key="erx-too-many1", rx=choice)
    assert too_many.status_code == 422 and too_many.json()["code"] == "rx-quantity-exceeded"
    order = place(client, shop, (drug, 2), key="erx-order-0001", rx=choice).json()
    assert order["rx_claimed"] and order["rx_source"] == "eprescription"
    again = place(client, shop, (drug, 1), key="erx-order-0002", rx=choice)
    assert again.status_code == 422 and again.json()["code"] == "rx-already-used"

    payment = start_payment(client, shop, order["id"])
    payer_clicks(client, payment)
    deliver(client, outbox(db, payment)[0])
    assert get_order(client, shop, order["id"])["status"] == "allocated"  # no waiting: already claimed

    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "改为线下购买"},
                            headers={**shop.headers, "Idempotency-Key": "erx-cancel-001"})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["refunded_cents"] == 2 * 3260
    reused = place(client, shop, (drug, 2), key="erx-order-0003", rx=choice)
    assert reused.status_code == 201, reused.text  # the claim was released with the cancellation
