"""Input the database cannot store is a 4xx problem+json, never a 500 (core/inputs.py), on both databases.

PostgreSQL is the strict one: int4 ids past 2**31-1, NUL characters and non-finite numbers raise driver
errors there. Ids from clients are public ids (core/public_ids.py); a sequential key is not accepted. Each case drives a real route as a patient and as an operator."""
import pytest

from healthhub.core.inputs import INT4_MAX
from tests.factories import pid

ADDRESS = {"recipient": "张三", "mobile": "13800138000", "region": "北京市朝阳区", "detail": "建国路1号",
           "city_adcode": "110105"}


def assert_refused(response, status: int = 422) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["patient", "operator"])
@pytest.mark.parametrize("order_id", ["1", str(INT4_MAX + 1), str(2**63), "0", "-1", "zz" * 16, pid(1).upper()])
def test_anything_but_a_public_id_in_a_url_names_nothing(client, make_user, role, order_id):
    """Sequential keys are not accepted at all, so they cannot be enumerated; garbage is a plain 404."""
    _, headers = make_user(role)
    assert_refused(client.get(f"/api/v1/orders/{order_id}", headers=headers), 404)


@pytest.mark.parametrize("key", [INT4_MAX + 1, 2**63, 0])
def test_a_public_id_of_a_key_past_the_column_range_is_refused_not_a_driver_error(client, make_user, key):
    _, headers = make_user("operator")
    assert_refused(client.get(f"/api/v1/orders/{pid(key)}", headers=headers))


@pytest.mark.parametrize("role", ["patient", "operator"])
def test_the_largest_id_is_simply_not_found(client, make_user, role):
    _, headers = make_user(role)
    assert_refused(client.get(f"/api/v1/orders/{pid(INT4_MAX)}", headers=headers), 404)
    assert_refused(client.get(f"/api/v1/catalog/products/{pid(INT4_MAX)}", headers=headers), 404)


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=0", "size=100000", "page=1e3"])
def test_page_numbers_are_bounded(client, make_user, query):
    _, headers = make_user("operator")
    assert_refused(client.get(f"/api/v1/orders?{query}", headers=headers))


def test_body_ids_past_the_range_and_explicit_nulls_are_refused(client, make_user):
    _, headers = make_user("patient")
    for body in ({"product_id": pid(INT4_MAX + 1)}, {"product_id": 2**63}, {"product_id": 1}, {"product_id": None},
                 {"product_id": True}, {"product_id": "not-an-id"}, {"product_id": pid(1), "quantity": None}):
        assert_refused(client.post("/api/v1/cart/items", json=body, headers=headers))
    assert_refused(client.post("/api/v1/addresses", json={**ADDRESS, "recipient": None}, headers=headers))


@pytest.mark.parametrize("role", ["patient", "operator"])
def test_nul_characters_anywhere_are_refused(client, make_user, role):
    _, headers = make_user(role)
    assert_refused(client.get("/api/v1/catalog/search?q=%00", headers=headers))
    assert_refused(client.get("/api/v1/catalog/search?q=a%00b&category=x", headers=headers))
    assert_refused(client.post("/api/v1/addresses", json={**ADDRESS, "detail": "建国路\u00001号"}, headers=headers))


def test_a_nul_in_a_valid_address_is_refused_and_the_clean_one_is_kept(client, make_user):
    _, headers = make_user("patient")
    assert_refused(client.post("/api/v1/addresses", json={**ADDRESS, "recipient": "张\u0000三"}, headers=headers))
    assert client.post("/api/v1/addresses", json=ADDRESS, headers=headers).status_code == 201
    assert [a["recipient"] for a in client.get("/api/v1/addresses", headers=headers).json()] == ["张三"]


@pytest.mark.parametrize("raw", ['"lat": Infinity', '"lat": NaN', '"lat": -Infinity', '"lat": 1e999',
                                 '"lng": true', '"lat": "39.9"'])
def test_coordinates_are_finite_numbers_not_booleans(client, make_user, raw):
    _, headers = make_user("operator")
    body = '{"lines": [{"product_id": "' + pid(1) + '", "quantity": 1}], "lat": 39.9, "lng": 116.4, "city_adcode": "110105", ' + raw + "}"
    response = client.post("/api/v1/inventory/route-preview", content=body,
                           headers={**headers, "Content-Type": "application/json"})
    assert_refused(response)


def test_a_boolean_is_not_a_longitude_for_an_address(client, make_user):
    _, headers = make_user("patient")
    assert_refused(client.post("/api/v1/addresses", json={**ADDRESS, "lat": 39.9, "lng": True}, headers=headers))
    assert client.post("/api/v1/addresses", json={**ADDRESS, "lat": 39, "lng": 116}, headers=headers).status_code == 201
