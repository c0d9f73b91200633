"""The operators' catalogue page and the merchants' SKU page: who reaches them and what they list."""
from tests.catalog.conftest import product_id
from tests.factories import page_login, pid


def login(client, make_user, role: str):
    user, _ = make_user(role)
    page_login(client, user.username)
    return user


def test_operator_page_lists_unsellable_products_and_patients_are_refused(client, curated, make_user):
    login(client, make_user, "operator")
    page = client.get("/ops/catalog", params={"only_unsellable": "true"}).text
    assert "地西泮片" in page and "不可网售" in page and 'data-testid="import-report"' in page
    login(client, make_user, "patient")
    assert client.get("/ops/catalog", headers={"accept": "text/html"}).status_code == 403


def test_merchant_page_shows_empty_state(client, curated, make_user):
    login(client, make_user, "merchant")
    assert 'data-testid="empty-state"' in client.get("/merchant/skus").text


def test_merchant_form_searches_products_instead_of_asking_for_an_id(client, curated, make_user):
    login(client, make_user, "merchant")
    page = client.get("/merchant/skus").text
    assert 'data-testid="sku-product-search"' in page and "/static/pages/catalog-merchant-skus.js" in page
    assert "商品编号" not in page and 'name="product_id" pattern' not in page  # no raw id to paste any more


def test_a_product_found_by_pinyin_is_listed_by_its_public_id(client, curated, make_user):
    """The form's two calls, in order: the catalogue search it offers results from, then the SKU it submits."""
    merchant, headers = make_user("merchant")
    found = client.get("/api/v1/catalog/search", params={"q": "buluofen", "size": 8}, headers=headers).json()["items"]
    chosen = next(item for item in found if item["name"] == "芬必得 布洛芬缓释胶囊")
    assert chosen["id"] == pid(product_id(curated, "C001"))
    created = client.post("/api/v1/catalog/merchant/skus",
                          json={"product_id": chosen["id"], "sku_code": "FBD-PY", "price_cents": 2500},
                          headers={**headers, "Idempotency-Key": "sku-pinyin-1"})
    assert created.status_code == 201, created.text
    page_login(client, merchant.username)
    page = client.get("/merchant/skus").text
    assert page.count('data-testid="sku-row"') == 1 and "FBD-PY" in page and "芬必得 布洛芬缓释胶囊" in page
