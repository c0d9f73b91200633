"""A family-doctor purchase is paid through the payments domain: nothing takes effect before the provider's
callback, a second payment of a paid purchase goes back at once, and a paid purchase cannot be paid again."""
from healthhub.core.public_ids import decode
from healthhub.family_doctor import purchases, service
from healthhub.payments import service as payments
from tests.family_doctor.test_family_doctor import API, package, patient_account
from tests.factories import pid
from tests.payments.sandbox import deliver, outbox, pay_and_deliver, payer_clicks


def _subscribe(client, headers, package_id: int, patient_id: int) -> dict:
    response = client.post(f"{API}/subscriptions", json={"package_id": pid(package_id),
                                                          "member_patient_ids": [pid(patient_id)]},
                           headers={**headers, "Idempotency-Key": f"subscribe-{package_id}-{patient_id}"})
    assert response.status_code == 201, response.text
    return response.json()


def _start(client, headers, purchase: dict, key: str):
    return client.post(f"{API}/purchases/{purchase['id']}/payments", json={"provider": "sandbox"},
                       headers={**headers, "Idempotency-Key": key})


def test_the_purchase_takes_effect_when_its_payment_is_captured(client, db, make_user):
    pkg = package(db, price_cents=29900)
    user, headers, patient_id = patient_account(db, make_user)
    purchase = _subscribe(client, headers, pkg.id, patient_id)
    started = _start(client, headers, purchase, "k-fd-pay-1")
    assert started.status_code == 201 and started.json()["amount_cents"] == 29900
    assert _start(client, headers, purchase, "k-fd-pay-1").json() == started.json()  # a retry replays
    page = client.get(started.json()["redirect_url"])
    assert page.status_code == 200 and "¥299.00" in page.text and pkg.name in page.text
    payer_clicks(client, started.json())
    [sub] = service.list_subscriptions(db, account_user_id=user.id)
    assert sub.status == "PENDING_PAYMENT"  # nothing until the provider's callback
    assert deliver(client, outbox(db, started.json())[0]).json()["outcome"] == "applied"
    db.refresh(sub)
    [payment] = payments.payments_of(db, payable_kind=purchases.PAYABLE_KIND, payable_id=decode(purchase["id"]))
    assert (sub.status, sub.consultations_total) == ("ACTIVE", 2)
    assert (payment.payer_id, payment.status) == (user.id, "succeeded")
    assert service.pending_purchases(db, subscription_ids=[sub.id]) == {}


def test_a_second_payment_of_a_paid_purchase_goes_back_at_once(client, db, make_user):
    pkg = package(db)
    user, headers, patient_id = patient_account(db, make_user)
    purchase = _subscribe(client, headers, pkg.id, patient_id)
    first, second = _start(client, headers, purchase, "k-fd-first").json(), _start(client, headers, purchase,
                                                                                  "k-fd-second").json()
    assert pay_and_deliver(client, db, first) == "applied"
    assert pay_and_deliver(client, db, second) == "applied"
    held = payments.payments_of(db, payable_kind=purchases.PAYABLE_KIND, payable_id=decode(purchase["id"]))
    assert sorted((p.status, p.held_cents) for p in held) == [("refunded", 0), ("succeeded", 39900)]
    [sub] = service.list_subscriptions(db, account_user_id=user.id)
    assert sub.consultations_total == 2  # counted once


def test_a_paid_purchase_cannot_be_paid_again(client, db, make_user):
    pkg = package(db)
    _, headers, patient_id = patient_account(db, make_user)
    purchase = _subscribe(client, headers, pkg.id, patient_id)
    assert pay_and_deliver(client, db, _start(client, headers, purchase, "k-fd-once").json()) == "applied"
    again = _start(client, headers, purchase, "k-fd-twice")
    assert again.status_code == 409 and again.json()["code"] == "fd-already-paid"
