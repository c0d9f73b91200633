"""A small shop for order tests: a Beijing warehouse, an OTC drug, a prescription drug, a banned drug,
and a patient with a Beijing address. Everything is created through the owning domains' services."""
from dataclasses import dataclass

import pytest

from tests.factories import create_user_with_token, pid
from tests.orders import builders
from tests.payments.sandbox import pay_and_deliver

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2


@dataclass
class Shop:
    warehouse: int
    otc: int  # 布洛芬缓释胶囊, ¥26.80, 20 in stock
    rx: int  # 阿莫西林胶囊 (knowledge key amoxicillin), ¥14.80, 10 in stock
    banned: int  # a special-management drug, never sellable online
    buyer_id: int
    address_id: int
    headers: dict


@pytest.fixture
def staff_headers(db, make_user):
    """Make a user of a role and keep it when a later request fails (failed requests roll back)."""
    def factory(role: str) -> dict:
        headers = make_user(role)[1]
        db.commit()
        return headers

    return factory


@pytest.fixture
def shop(db) -> Shop:
    warehouse = builders.stock_location(db, code="WH-BJ-T")
    otc = builders.make_product(db, name="布洛芬缓释胶囊", price_cents=2680, rx=False, stock=[(warehouse, 20)])
    rx = builders.make_product(db, name="阿莫西林胶囊", price_cents=1480, rx=True, stock=[(warehouse, 10)])
    banned = builders.make_product(db, name="盐酸吗啡片", price_cents=900, rx=True, stock=[])
    user, headers = create_user_with_token(db, role="patient")
    address = builders.beijing_address(db, user.id)
    db.commit()  # a request that fails rolls back to here, not past the shop
    return Shop(warehouse, otc, rx, banned, user.id, address, headers)


def order_body(shop: Shop, *items: tuple[int, int], rx: dict | None = None, acknowledged: bool | None = None) -> dict:
    """`items`: (product key, quantity); the body carries public ids. `acknowledged`: the OD-03 risk tick box;
    ticked whenever a prescription is attached unless said otherwise."""
    body = {"address_id": pid(shop.address_id), "items": [{"product_id": pid(p), "quantity": q} for p, q in items]}
    if rx:
        body["rx"] = rx
    if acknowledged if acknowledged is not None else rx is not None:
        body["rx_risk_acknowledged"] = True
    return body


def place(client, shop: Shop, *items: tuple[int, int], key: str = "order-key-0001", rx: dict | None = None,
          acknowledged: bool | None = None):
    return client.post("/api/v1/orders", json=order_body(shop, *items, rx=rx, acknowledged=acknowledged),
                       headers={**shop.headers, "Idempotency-Key": key})


def start_payment(client, shop: Shop, order_id: int, key: str = "pay-key-00001") -> dict:
    response = client.post(f"/api/v1/orders/{order_id}/payments", json={"provider": "sandbox"},
                           headers={**shop.headers, "Idempotency-Key": key})
    assert response.status_code == 201, response.text
    return response.json()


def get_order(client, shop: Shop, order_id: int) -> dict:
    response = client.get(f"/api/v1/orders/{order_id}", headers=shop.headers)
    assert response.status_code == 200, response.text
    return response.json()


def paid_order(client, db, shop: Shop, *items: tuple[int, int], key: str = "order-paid-01") -> dict:
    order = place(client, shop, *items, key=key).json()
    payment = start_payment(client, shop, order["id"], key=f"pay-{key}")
    assert pay_and_deliver(client, db, payment) == "applied"
    return get_order(client, shop, order["id"])
