"""Storefront API: a product's detail hides an Rx drug's insert (OD-03) and is addressed by public id."""
from tests.catalog.conftest import product_id
from tests.factories import pid


def test_rx_detail_hides_the_insert_and_otc_detail_shows_it(client, curated):
    rx = client.get(f"/api/v1/catalog/products/{pid(product_id(curated, 'C038'))}").json()
    assert rx["rx"] and rx["insert_text"] is None and rx["description"] is None
    assert "OD-03" in rx["insert_hidden_reason"] and rx["rx_notice"] == "处方药须凭处方在药师指导下购买和使用"
    otc = client.get(f"/api/v1/catalog/products/{pid(product_id(curated, 'C001'))}").json()
    assert "【用法用量】" in otc["insert_text"] and otc["insert_hidden_reason"] is None


def test_products_are_addressed_by_public_id_never_by_key(client, curated):
    key = product_id(curated, "C001")
    assert client.get(f"/api/v1/catalog/products/{key}").status_code == 404
    assert client.get(f"/shop/products/{key}").status_code == 404
    found = client.get(f"/api/v1/catalog/products/{pid(key)}")
    assert found.status_code == 200 and found.json()["id"] == pid(key)
