"""Storefront pages follow OD-03: Rx warning, no insert and no buy button; OTC has both."""
from tests.catalog.conftest import product_id
from tests.factories import page_login, pid


def login(client, make_user, role: str):
    user, _ = make_user(role)
    page_login(client, user.username)
    return user


def test_rx_page_has_the_notice_and_no_insert_or_buy_button(client, curated, make_user):
    login(client, make_user, "patient")
    page = client.get(f"/shop/products/{pid(product_id(curated, 'C038'))}").text
    assert "处方药须凭处方在药师指导下购买和使用" in page and 'data-testid="risk-warning"' in page
    assert 'data-testid="add-to-cart"' not in page and 'data-testid="package-insert"' not in page
    assert "【适应症】" not in page and "凭处方购买" in page


def test_otc_page_has_insert_and_add_to_cart(client, curated, make_user):
    login(client, make_user, "patient")
    otc_id = pid(product_id(curated, "C001"))
    page = client.get(f"/shop/products/{otc_id}").text
    assert f'data-testid="add-to-cart" data-product-id="{otc_id}"' in page
    assert "【用法用量】" in page and "处方药须凭处方在药师指导下购买和使用</strong>" not in page


def test_shop_search_separates_rx_and_otc_and_has_an_empty_state(client, curated, make_user):
    login(client, make_user, "patient")
    page = client.get("/shop", params={"q": "blf"}).text
    assert page.count('data-testid="result-item"') == 3 and 'data-testid="otc-section"' in page
    mixed = client.get("/shop", params={"q": "片"}).text
    assert 'data-testid="otc-section"' in mixed and 'data-testid="rx-section"' in mixed
    assert 'data-testid="empty-state"' in client.get("/shop", params={"q": "完全不存在的药"}).text


def test_shop_form_with_blank_location_fields_still_searches(client, curated, make_user):
    login(client, make_user, "patient")
    form = {"q": "blf", "rx": "", "category": "", "lat": "", "lng": ""}
    response = client.get("/shop", params=form)
    assert response.status_code == 200 and response.text.count('data-testid="result-item"') == 3
    # no pharmacy holds stock in this test database: "附近有货" leaves nothing
    nearby = client.get("/shop", params={**form, "near": "true"})
    assert nearby.status_code == 200 and 'data-testid="empty-state"' in nearby.text


def test_visitors_browse_the_shop_without_logging_in(client, curated):
    results = client.get("/shop", params={"q": "blf"}, headers={"Accept": "text/html"})
    assert results.status_code == 200 and results.text.count('data-testid="result-item"') == 3
    assert 'data-testid="login-link"' in results.text and 'href="/login?next=/shop"' in results.text
    otc_page = client.get(f"/shop/products/{pid(product_id(curated, 'C001'))}", headers={"Accept": "text/html"}).text
    assert 'data-testid="add-to-cart"' in otc_page  # clicking it sends a visitor to the login page first
    rx_page = client.get(f"/shop/products/{pid(product_id(curated, 'C038'))}", headers={"Accept": "text/html"}).text
    assert "处方药须凭处方在药师指导下购买和使用" in rx_page and 'data-testid="add-to-cart"' not in rx_page
    assert client.get("/cart", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303
