"""Catalogue API and service: search, problem+json, permissions, idempotent writes (the OD-03 product detail
is the storefront's: tests/storefront)."""
import pytest

from healthhub.catalog import service
from healthhub.core.errors import RuleViolation
from healthhub.inventory.service import add_location
from tests.catalog.conftest import product_id
from tests.factories import pid

NEW_PRODUCT = {"generic_name": "布洛芬片", "brand_name": "测试牌", "manufacturer": "测试制药有限公司", "category": "疼痛缓解",
               "list_price_cents": 990, "approval_number": "国药准字H12345678", "package": "0.2g*24片/盒"}


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize("query", ["布洛芬", "buluofen", "blf", "布落芬"])
def test_search_finds_ibuprofen_however_it_is_typed(client, curated, query):
    response = client.get("/api/v1/catalog/search", params={"q": query})
    assert response.status_code == 200
    assert names(response)[0] in {"芬必得 布洛芬缓释胶囊", "美林 布洛芬混悬液", "布洛芬片"}
    assert response.json()["total"] == 3


def test_search_filters_and_pagination(client, curated):
    otc = client.get("/api/v1/catalog/search", params={"q": "", "rx": "false", "size": 5}).json()
    assert otc["total"] > 5 and not any(item["rx"] for item in otc["items"])
    page2 = client.get("/api/v1/catalog/search", params={"q": "", "rx": "false", "size": 5, "page": 2}).json()
    assert not {i["id"] for i in otc["items"]} & {i["id"] for i in page2["items"]}
    diabetes = client.get("/api/v1/catalog/search", params={"category": "糖尿病", "rx": "true"}).json()
    assert diabetes["total"] == 4 and all(i["category"] == "糖尿病" for i in diabetes["items"])


def test_banned_and_special_drugs_are_never_found_for_sale(client, curated, make_user):
    for query in ("地西泮", "曲马多", "华法林", "复方甘草片", "右美沙芬"):
        assert client.get("/api/v1/catalog/search", params={"q": query}).json()["total"] == 0
    diazepam = product_id(curated, "C053")
    assert client.get(f"/api/v1/catalog/products/{pid(diazepam)}").status_code == 404
    _, operator = make_user("operator")
    curated.commit()
    listed = client.get("/api/v1/catalog/search", params={"q": "地西泮", "include_unsellable": "true"}, headers=operator)
    assert listed.json()["items"][0]["sellable_online"] is False
    assert "特殊管理" in listed.json()["items"][0]["not_sellable_reason"]
    _, patient = make_user("patient")
    refused = client.get("/api/v1/catalog/search", params={"include_unsellable": "true"}, headers=patient)
    assert refused.status_code == 403


def test_bad_input_gets_problem_json(client, curated):
    response = client.get("/api/v1/catalog/search", params={"page": 0})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "validation-error"
    assert client.get(f"/api/v1/catalog/products/{pid(999999)}").json()["code"] == "product-not-found"


def test_product_writes_need_operator_role_idempotency_key_and_valid_fields(client, curated, make_user):
    assert client.post("/api/v1/catalog/products", json=NEW_PRODUCT).status_code == 401
    _, patient = make_user("patient")
    assert client.post("/api/v1/catalog/products", json=NEW_PRODUCT,
                       headers={**patient, "Idempotency-Key": "k-000000001"}).status_code == 403
    _, operator = make_user("operator")
    curated.commit()  # a refused request rolls its transaction back; keep the accounts made so far
    no_key = client.post("/api/v1/catalog/products", json=NEW_PRODUCT, headers=operator)
    assert no_key.status_code == 422 and no_key.json()["errors"][0]["field"] == "Idempotency-Key"
    bad = client.post("/api/v1/catalog/products", json={**NEW_PRODUCT, "approval_number": "国药准字X1234"},
                      headers={**operator, "Idempotency-Key": "k-000000002"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "approval_number"
    headers = {**operator, "Idempotency-Key": "k-000000003"}
    created = client.post("/api/v1/catalog/products", json=NEW_PRODUCT, headers=headers)
    assert created.status_code == 201 and created.json()["knowledge_key"] == "ibuprofen"
    again = client.post("/api/v1/catalog/products", json=NEW_PRODUCT, headers=headers)
    assert again.json()["id"] == created.json()["id"]
    found = client.get("/api/v1/catalog/search", params={"q": "测试牌"}).json()
    assert [i["id"] for i in found["items"]] == [created.json()["id"]]  # the index was rebuilt
    patched = client.patch(f"/api/v1/catalog/products/{created.json()['id']}", json={"list_price_cents": 1290},
                           headers={**operator, "Idempotency-Key": "k-000000004"})
    assert patched.json()["price_cents"] == 1290


def test_merchant_skus_are_per_merchant_and_refuse_banned_products(client, curated, make_user):
    _, merchant = make_user("merchant")
    _, other = make_user("merchant")
    curated.commit()  # a refused request rolls its transaction back; keep the accounts made so far
    body = {"product_id": pid(product_id(curated, "C001")), "sku_code": "FBD-1", "price_cents": 2500}
    created = client.post("/api/v1/catalog/merchant/skus", json=body, headers={**merchant, "Idempotency-Key": "sku-0001"})
    assert created.status_code == 201 and created.json()["product_name"] == "芬必得 布洛芬缓释胶囊"
    duplicate = client.post("/api/v1/catalog/merchant/skus", json=body,
                            headers={**merchant, "Idempotency-Key": "sku-0002"})
    assert duplicate.status_code == 409
    assert client.get("/api/v1/catalog/merchant/skus", headers=merchant).json()["total"] == 1
    assert client.get("/api/v1/catalog/merchant/skus", headers=other).json()["total"] == 0
    assert client.patch(f"/api/v1/catalog/merchant/skus/{created.json()['id']}", json={"price_cents": 1},
                        headers={**other, "Idempotency-Key": "sku-0003"}).status_code == 404
    banned = client.post("/api/v1/catalog/merchant/skus",
                         json={**body, "product_id": pid(product_id(curated, "C053")), "sku_code": "DZP-1"},
                         headers={**merchant, "Idempotency-Key": "sku-0004"})
    assert banned.status_code == 422 and "特殊管理药品" in banned.json()["detail"]


def test_a_merchant_binds_skus_only_to_its_own_stores(client, curated, make_user):
    merchant_user, merchant = make_user("merchant")
    rival_user, _ = make_user("merchant")
    own = add_location(curated, kind="merchant", code="TSKU-OWN", name="本店", city_adcode="110105",
                       owner_user_id=merchant_user.id)
    rival = add_location(curated, kind="merchant", code="TSKU-RIVAL", name="他店", city_adcode="110105",
                         owner_user_id=rival_user.id)
    curated.commit()
    body = {"product_id": pid(product_id(curated, "C001")), "sku_code": "STORE-1", "price_cents": 2500}
    skus = "/api/v1/catalog/merchant/skus"
    foreign = client.post(skus, json={**body, "store_location_id": pid(rival.id)},
                          headers={**merchant, "Idempotency-Key": "sku-store-1"})
    missing = client.post(skus, json={**body, "store_location_id": pid(rival.id + own.id + 1000)},
                          headers={**merchant, "Idempotency-Key": "sku-store-2"})
    # Another merchant's store is as unknown as a store that does not exist.
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
    assert client.get(skus, headers=merchant).json()["total"] == 0
    created = client.post(skus, json={**body, "store_location_id": pid(own.id)},
                          headers={**merchant, "Idempotency-Key": "sku-store-3"})
    assert created.status_code == 201 and created.json()["store_location_id"] == pid(own.id)
    moved = client.patch(f"{skus}/{created.json()['id']}", json={"store_location_id": pid(rival.id)},
                         headers={**merchant, "Idempotency-Key": "sku-store-4"})
    assert moved.status_code == 404 and moved.json()["code"] == "store-not-found"
    assert client.get(skus, headers=merchant).json()["items"][0]["store_location_id"] == pid(own.id)


def test_service_views_for_other_domains(curated):
    view = service.get_product(curated, product_id=product_id(curated, "C023"))
    assert view.rx and view.cold_chain and view.sellable_online and view.knowledge_key == "insulin glargine"
    service.ensure_sellable(view)
    diazepam = service.get_product(curated, product_id=product_id(curated, "C053"))
    with pytest.raises(RuleViolation, match="该药品属于特殊管理药品，不得网络销售 \\(OD-01\\)"):
        service.ensure_sellable(diazepam)
    with pytest.raises(RuleViolation, match="禁止"):
        service.ensure_sellable(service.get_product(curated, product_id=product_id(curated, "C034")))
    views = service.get_products(curated, ids=[view.id, diazepam.id, 10**9])
    assert set(views) == {view.id, diazepam.id}
