"""The cart: per buyer, quantities validated, Rx and OTC shown apart, banned drugs refused; pages render."""
from tests.factories import pid


def test_add_merge_update_remove(client, shop):
    added = client.post("/api/v1/cart/items", json={"product_id": pid(shop.otc), "quantity": 2}, headers=shop.headers)
    assert added.status_code == 201, added.text
    client.post("/api/v1/cart/items", json={"product_id": pid(shop.otc), "quantity": 1}, headers=shop.headers)
    client.post("/api/v1/cart/items", json={"product_id": pid(shop.rx), "quantity": 1}, headers=shop.headers)
    cart = client.get("/api/v1/cart", headers=shop.headers).json()
    assert [(x["product_id"], x["quantity"]) for x in cart["otc_lines"]] == [(pid(shop.otc), 3)]
    assert [x["product_id"] for x in cart["rx_lines"]] == [pid(shop.rx)]
    assert cart["subtotal_cents"] == 3 * 2680 + 1480
    updated = client.put(f"/api/v1/cart/items/{pid(shop.otc)}", json={"quantity": 5}, headers=shop.headers).json()
    assert updated["otc_lines"][0]["quantity"] == 5
    emptied = client.delete(f"/api/v1/cart/items/{pid(shop.otc)}", headers=shop.headers).json()
    assert emptied["otc_lines"] == [] and emptied["count"] == 1


def test_quantities_are_validated(client, shop):
    for quantity in (0, 100, -1):
        response = client.post("/api/v1/cart/items", json={"product_id": pid(shop.otc), "quantity": quantity},
                               headers=shop.headers)
        assert response.status_code == 422, response.text
    client.post("/api/v1/cart/items", json={"product_id": pid(shop.otc), "quantity": 60}, headers=shop.headers)
    over = client.post("/api/v1/cart/items", json={"product_id": pid(shop.otc), "quantity": 60}, headers=shop.headers)
    assert over.status_code == 422 and over.json()["code"] == "invalid-quantity"


def test_special_management_drug_cannot_enter_the_cart(client, shop):
    response = client.post("/api/v1/cart/items", json={"product_id": pid(shop.banned), "quantity": 1},
                           headers=shop.headers)
    assert response.status_code == 422
    assert client.get("/api/v1/cart", headers=shop.headers).json()["count"] == 0


def test_carts_are_per_buyer_and_need_a_patient(client, shop, staff_headers):
    client.post("/api/v1/cart/items", json={"product_id": pid(shop.otc), "quantity": 1}, headers=shop.headers)
    other_headers = staff_headers("patient")
    assert client.get("/api/v1/cart", headers=other_headers).json()["count"] == 0
    assert client.get("/api/v1/cart").status_code == 401
    assert client.get("/api/v1/cart", headers=staff_headers("doctor")).status_code == 403


def test_checkout_consumes_the_cart(client, shop):
    client.post("/api/v1/cart/items", json={"product_id": pid(shop.otc), "quantity": 3}, headers=shop.headers)
    response = client.post("/api/v1/orders", headers={**shop.headers, "Idempotency-Key": "cart-order-01"}, json={
        "address_id": pid(shop.address_id), "items": [{"product_id": pid(shop.otc), "quantity": 2}]})
    assert response.status_code == 201
    assert client.get("/api/v1/cart", headers=shop.headers).json()["otc_lines"][0]["quantity"] == 1


def test_pages_render_with_empty_states(client, shop, staff_headers):
    assert "购物车是空的" in client.get("/cart", headers=shop.headers).text
    assert "暂无订单" in client.get("/orders", headers=shop.headers).text
    operator = staff_headers("operator")
    assert "订单管理" in client.get("/admin/orders", headers=operator).text
    assert "没有待审核的处方图片" in client.get("/pharmacist/rx-uploads", headers=staff_headers("pharmacist")).text
    client.post("/api/v1/cart/items", json={"product_id": pid(shop.rx), "quantity": 1}, headers=shop.headers)
    cart_page = client.get("/cart", headers=shop.headers).text
    assert "处方药需凭有效处方购买" in cart_page and 'data-testid="cart-rx"' in cart_page
    assert "确认订单" in client.get("/checkout", headers=shop.headers).text


def test_address_coordinates_default_to_the_district_centre(client, shop):
    body = {"recipient": "李娜", "mobile": "139 1234 5678", "region": "上海市 浦东新区", "detail": "世纪大道100号",
            "city_adcode": "310115"}
    created = client.post("/api/v1/addresses", json=body, headers=shop.headers)
    assert created.status_code == 201, created.text
    address = created.json()
    assert address["mobile_masked"] == "139****5678" and 30 < address["lat"] < 32 and 121 < address["lng"] < 122
    assert not address["is_default"]
    bad = client.post("/api/v1/addresses", json={**body, "city_adcode": "999999"}, headers=shop.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid-adcode"
    bad_mobile = client.post("/api/v1/addresses", json={**body, "mobile": "12345678901"}, headers=shop.headers)
    assert bad_mobile.status_code == 422
