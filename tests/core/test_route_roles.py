"""The route × role table (healthhub/core/permissions.py): every route is declared, and every role and an
anonymous caller get from each route what the table says. Object-level checks for merchants are here too;
the other object-level checks live with their domains (docs/security.md lists them)."""
import re
from datetime import date, timedelta

import pytest

from healthhub.domains import domain_modules
from healthhub.catalog.schemas import ProductCreate
from healthhub.catalog.service import create_product
from healthhub.core.config import get_settings
from healthhub.core.db import utcnow
from healthhub.core.permissions import Audience, route_table
from healthhub.identity.roles import Role
from healthhub.inventory import service as inventory
from healthhub.review import tenants as tenant_service
from healthhub.review.policies import API_KEY_ROLE
from tests.factories import pid

ANONYMOUS = "anonymous"
CALLERS = (ANONYMOUS, *(r.value for r in Role), API_KEY_ROLE)
ABSENT_ID = pid(999999)  # path ids name no row: the walk meets each gate without changing what others see
PATH_VALUES = {"provider": "sandbox", "intent_id": "pi_absent", "condition_id": f"enc{ABSENT_ID}-1",
               "request_id": f"{ABSENT_ID}-1", "rule": "R-ABSENT"}
API_PREFIXES = ("/api/", "/fhir/", "/healthz", "/readyz", "/metrics")


def table_of(app):
    return route_table(app, [module.OPEN_ROUTES for module in domain_modules("permissions")])


def test_every_route_is_declared_exactly_once(app):
    table = table_of(app)
    assert not table.undeclared, (
        "routes with neither a gate dependency (CurrentUser, require_roles) nor an entry in "
        f"their domain's permissions.py OPEN_ROUTES: {table.undeclared}")
    assert not table.declared_twice, f"gated routes also listed as open: {table.declared_twice}"
    assert not table.stale, f"OPEN_ROUTES entries naming no route: {table.stale}"
    assert len(table.access) > 150


@pytest.fixture
def callers(db, make_user, tmp_path, monkeypatch):
    """Auth headers per caller: one user per role, a clinic admin of a tenant, and that tenant's API key."""
    # An operator's "re-import the catalogue" reads the data folder; an empty one keeps the walk quick.
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    headers = {ANONYMOUS: {}}
    users = {}
    for role in Role:
        users[role.value], headers[role.value] = make_user(role.value)
    tenant, api_key, _ = tenant_service.create_tenant(db, code="route-walk", name="路由巡检诊所", webhook_url=None,
                                                      auto_approve_pass=False, actor_user_id=None)
    tenant_service.add_member(db, tenant=tenant, username=users[Role.CLINIC_ADMIN].username,
                              role=Role.CLINIC_ADMIN.value)
    headers[API_KEY_ROLE] = {"X-Api-Key": api_key}
    db.commit()
    return headers, tenant.id


def _url(path: str, tenant_id: int) -> str:
    values = {**PATH_VALUES, "tenant_id": pid(tenant_id)}
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m[1], ABSENT_ID), path)


def _refusals(access, caller: str, is_page: bool) -> set[int]:
    """The answers the route's gate may give the caller; empty when the gate lets the caller through."""
    login = {303} if is_page else {401}  # pages send the browser to /login, APIs answer 401
    if access.audience in (Audience.PUBLIC, Audience.SIGNED_CALLBACK) or caller in access.roles:
        return set()
    if caller == ANONYMOUS:
        return login
    if caller == API_KEY_ROLE:
        # A key is not a login: identity gates do not know it (401), review gates know it but refuse it (403).
        return login | {403}
    return set() if access.audience == Audience.ANY_USER else {403}


def test_every_caller_gets_what_the_table_says(app, client, callers):
    headers, tenant_id = callers
    table = table_of(app)
    problems, checked = [], 0
    for (method, path), access in sorted(table.access.items(), key=lambda item: (item[0][1], item[0][0])):
        is_page = not path.startswith(API_PREFIXES)
        url = _url(path, tenant_id)
        for caller in CALLERS:
            request_headers = {**headers[caller], **({"Accept": "text/html"} if is_page else {})}
            body = None
            if method in ("POST", "PUT", "PATCH", "DELETE"):
                # Past the Idempotency-Key check, so an admitted caller reaches the handler's own checks.
                request_headers["Idempotency-Key"] = f"route-walk-{checked:05d}"
                body = {} if method != "DELETE" else None
            response = client.request(method, url, headers=request_headers, json=body, follow_redirects=False)
            checked += 1
            got = (response.status_code, _code(response))
            refusals = _refusals(access, caller, is_page)
            if access.audience == Audience.SIGNED_CALLBACK:
                ok = response.status_code in (400, 401)  # unsigned: refused, whoever is logged in
            elif not refusals:
                ok = response.status_code not in (401, 403) and response.status_code < 500
            elif response.status_code == 303:
                ok = 303 in refusals and response.headers["location"].startswith("/login")
            else:
                # A page's 403 is an HTML error page; an API's names the refusal as the role gate's.
                ok = response.status_code in refusals and (response.status_code == 401 or is_page
                                                           or got[1] == "forbidden-role")
            if not ok:
                problems.append(f"{method} {path} as {caller} [{access}]: got {got}")
    print(f"\nroute × role table: {len(table.access)} routes × {len(CALLERS)} callers = {checked} requests checked")
    assert not problems, "\n".join(problems)


def _code(response) -> str:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return response.json().get("code", "")
    return ""


def test_a_merchant_cannot_touch_another_merchants_store_or_sku(client, db, make_user):
    """Object level, beyond the role gate: both callers are merchants. (Tenants: tests/review/test_isolation.py;
    patients: tests/orders/test_checkout.py, tests/hospital/test_consultation_flow.py, tests/fhir/test_fhir_api.py.)"""
    owner, owner_headers = make_user("merchant")
    _, rival = make_user("merchant")
    store = inventory.add_location(db, kind="merchant", code="TWALK-STORE", name="甲商家门店", city_adcode="110105",
                                   owner_user_id=owner.id)
    product_id = create_product(db, data=ProductCreate(kind="health", generic_name="维生素C咀嚼片（巡检）",
                                                  manufacturer="测试厂家", category="营养保健",
                                                  list_price_cents=2990)).id
    batch, _ = inventory.receive_stock(db, location=store, product_id=product_id, batch_no="WALK-1",
                                       expiry_date=date.today() + timedelta(days=400), quantity=7,
                                       unit_cost_cents=800, now=utcnow())
    db.commit()
    sku = client.post("/api/v1/catalog/merchant/skus", headers={**owner_headers, "Idempotency-Key": "walk-sku-1"},
                      json={"product_id": pid(product_id), "sku_code": "WALK-1", "price_cents": 3990,
                            "store_location_id": pid(store.id)})
    assert sku.status_code == 201, sku.text
    attempts = {
        "read the store's batches": client.get(f"/api/v1/inventory/locations/{pid(store.id)}/batches", headers=rival),
        "book stock into the store": client.post(
            "/api/v1/inventory/receipts", headers={**rival, "Idempotency-Key": "walk-rival-1"},
            json={"location_id": pid(store.id), "product_id": pid(product_id), "batch_no": "RIVAL-1", "quantity": 1,
                  "expiry_date": (date.today() + timedelta(days=400)).isoformat(), "unit_cost_cents": 1}),
        "write off the store's stock": client.post(
            "/api/v1/inventory/write-offs", headers={**rival, "Idempotency-Key": "walk-rival-2"},
            json={"batch_id": pid(batch.id), "quantity": 1, "reason": "破损"}),
        "change the SKU's price": client.patch(
            f"/api/v1/catalog/merchant/skus/{sku.json()['id']}", headers={**rival, "Idempotency-Key": "walk-rival-3"},
            json={"price_cents": 1}),
        "bind its own SKU to the store": client.post(
            "/api/v1/catalog/merchant/skus", headers={**rival, "Idempotency-Key": "walk-rival-4"},
            json={"product_id": pid(product_id), "sku_code": "RIVAL-1", "price_cents": 100,
                  "store_location_id": pid(store.id)}),
    }
    for attempt, response in attempts.items():
        assert response.status_code in (403, 404), f"a rival merchant could {attempt}: {response.status_code}"
        assert "WALK-1" not in response.text and "甲商家门店" not in response.text, attempt
    assert client.get(f"/api/v1/inventory/locations/{pid(store.id)}/batches", headers=owner_headers).json()["total"] == 1
    assert client.get("/api/v1/catalog/merchant/skus", headers=rival).json()["total"] == 0
    owned = client.get("/api/v1/catalog/merchant/skus", headers=owner_headers).json()["items"]
    assert [(s["sku_code"], s["price_cents"]) for s in owned] == [("WALK-1", 3990)]
