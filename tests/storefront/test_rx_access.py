"""OD-02/OD-03 on the storefront: a prescription drug's insert, indications and buy button appear only to
the patient holding a pharmacist-approved, valid, unused prescription for it; before approval (and for
anyone else) the page keeps the warning and nothing more."""
from healthhub.catalog import service
from healthhub.catalog.schemas import ProductCreate
from tests.factories import pid
from tests.orders.eprescriptions import approve, signed_prescription

INSERT = "【适应症】高血压；慢性稳定性心绞痛。【用法用量】口服。起始剂量5mg，一日1次。"


def _amlodipine(db) -> int:
    product = service.create_product(db, data=ProductCreate(
        generic_name="苯磺酸氨氯地平片", brand_name="络活喜", manufacturer="辉瑞制药有限公司", category="高血压",
        rx_class="rx", list_price_cents=3480, package="5mg*7片/盒", description="用于高血压、冠心病。",
        insert_text=INSERT))
    db.commit()
    return product.id


def _detail(client, product_id: int, headers: dict | None = None, **params) -> dict:
    response = client.get(f"/api/v1/catalog/products/{pid(product_id)}", headers=headers or {}, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _assert_locked(detail: dict) -> None:
    assert detail["insert_text"] is None and detail["description"] is None and "OD-03" in detail["insert_hidden_reason"]
    assert detail["rx_prescription_id"] is None and detail["rx_max_quantity"] is None


def test_rx_product_stays_locked_until_the_prescription_is_approved(client, db, make_user):
    s, rx = signed_prescription(client, db, quantity=2)
    drug = _amlodipine(db)

    _assert_locked(_detail(client, drug, s.patient_headers))
    page = client.get(f"/shop/products/{pid(drug)}", headers=s.patient_headers).text
    assert 'data-testid="rx-gate"' in page and 'data-testid="add-to-cart"' not in page
    assert 'data-testid="package-insert"' not in page and "【适应症】" not in page
    shop = client.get("/shop", params={"prescription": rx["id"]}, headers=s.patient_headers).text
    assert 'data-testid="rx-offer-problem"' in shop and "待药师审核" in shop
    assert 'data-testid="rx-offer-item"' not in shop

    approve(db, rx["id"])
    unlocked = _detail(client, drug, s.patient_headers)
    assert unlocked["insert_text"] == INSERT and unlocked["description"] and unlocked["insert_hidden_reason"] is None
    assert (unlocked["rx_prescription_id"], unlocked["rx_max_quantity"]) == (rx["id"], 2)
    assert unlocked["rx_notice"] == service.RX_NOTICE  # the warning stays on every Rx page
    page = client.get(f"/shop/products/{pid(drug)}", headers=s.patient_headers).text
    assert 'data-testid="add-to-cart"' in page and f'data-prescription-id="{rx["id"]}"' in page
    assert 'data-testid="package-insert"' in page and "【适应症】" in page and 'data-testid="risk-warning"' in page

    _, stranger = make_user("patient")
    _assert_locked(_detail(client, drug, stranger))
    _assert_locked(_detail(client, drug))  # anonymous
    _, pharmacist = make_user("pharmacist")
    _assert_locked(_detail(client, drug, pharmacist))


def test_shop_lists_the_prescriptions_drugs_as_purchasable(client, db, make_user):
    s, rx = signed_prescription(client, db, quantity=2)
    drug = _amlodipine(db)
    approve(db, rx["id"])
    page = client.get("/shop", params={"prescription": rx["id"]}, headers=s.patient_headers).text
    assert f'data-testid="rx-offer-item" data-product-id="{pid(drug)}"' in page
    assert f'data-prescription-id="{rx["id"]}">加入购物车' in page and rx["number"] in page
    assert f"/shop/products/{pid(drug)}?prescription={rx['id']}" in page and "风险提示" in page

    _, stranger = make_user("patient")
    other = client.get("/shop", params={"prescription": rx["id"]}, headers=stranger).text
    assert "处方不存在或不属于当前账户" in other and 'data-testid="rx-offer-item"' not in other
