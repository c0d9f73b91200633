"""The operators' catalogue page and the merchants' SKU page: who reaches them and what they list."""
from tests.factories import page_login


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
