"""Family-doctor packages: subscribe (idempotent), pay, expire and renew; no client-side entitlement use."""
from datetime import date, timedelta

from healthhub.core.db import utcnow
from healthhub.core.permissions import api_routes
from healthhub.family_doctor import rules, service
from healthhub.family_doctor.schemas import PackageIn
from healthhub.patients import service as patients
from healthhub.patients.service import NewPatient, add_patient
from healthhub.core.public_ids import decode
from tests.factories import pid, valid_id_number
from tests.payments.sandbox import pay_and_deliver

API = "/api/v1/family-doctor"


def package(db, **changes):
    data = {"code": f"pkg{id(changes) % 100000}", "name": "HealthHub 家庭医生·家庭版", "price_cents": 39900,
            "period_days": 30, "included_consultations": 2, "response_minutes": 30, "members_covered": 2, **changes}
    return service.save_package(db, data=PackageIn(**data))


def patient_account(db, make_user):
    user, headers = make_user("patient")
    holder = add_patient(db, account_user_id=user.id, data=NewPatient(
        relationship="本人", name="赵丽颖", id_number=valid_id_number(birth=date(1988, 1, 2), female=True)))
    db.commit()  # releases the test's savepoint, so a refused request (rolled back) keeps this data
    return user, headers, holder.id


def pay(client, db, headers, purchase_id: str, key: str):
    """Starts paying a purchase, pays on the sandbox page and delivers the provider's callback."""
    started = client.post(f"{API}/purchases/{purchase_id}/payments", json={"provider": "sandbox"},
                          headers={**headers, "Idempotency-Key": key})
    assert started.status_code == 201, started.text
    assert pay_and_deliver(client, db, started.json()) == "applied"
    return started


def subscribe_and_pay(client, db, headers, package_id, patient_id):
    key = {"Idempotency-Key": f"sub-{package_id}-{patient_id}-key"}
    body = {"package_id": pid(package_id), "member_patient_ids": [pid(patient_id)]}
    purchase = client.post(f"{API}/subscriptions", json=body, headers={**headers, **key})
    assert purchase.status_code == 201, purchase.text
    pay(client, db, headers, purchase.json()["id"], f"pay-{purchase.json()['id']}-key")
    return purchase.json()


def test_subscribe_is_idempotent_and_needs_a_key(client, db, make_user):
    pkg = package(db)
    _, headers, patient_id = patient_account(db, make_user)
    body = {"package_id": pid(pkg.id), "member_patient_ids": [pid(patient_id)]}
    assert client.post(f"{API}/subscriptions", json=body, headers=headers).status_code == 422
    first = client.post(f"{API}/subscriptions", json=body, headers={**headers, "Idempotency-Key": "subscribe-001"})
    again = client.post(f"{API}/subscriptions", json=body, headers={**headers, "Idempotency-Key": "subscribe-001"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert first.json()["amount_cents"] == 39900


def test_no_client_call_can_consume_an_included_consultation(app, client, db, make_user):
    """Every family-doctor write a client can make, by the subscriber or an operator, leaves the included
    consultation unused: only a requested hospital consultation consumes one (test_consultation_entitlements).
    A write route added later fails this test until it is called here too."""
    pkg = package(db, included_consultations=1)
    user, headers, patient_id = patient_account(db, make_user)
    _, operator = make_user("operator")
    purchase = subscribe_and_pay(client, db, headers, pkg.id, patient_id)
    package_fields = {"code": pkg.code, "name": pkg.name, "price_cents": pkg.price_cents, "period_days": 30,
                      "included_consultations": 1, "response_minutes": 30, "members_covered": 2}
    made = {}

    def remember(name, response):
        made[name] = response.json()
        return response

    calls = {
        ("POST", "/admin/packages"): lambda: remember("package", client.post(
            f"{API}/admin/packages", headers=operator, json={**package_fields, "code": "fd-client-calls"})),
        ("PUT", "/admin/packages/{package_id}"): lambda: client.put(
            f"{API}/admin/packages/{pid(pkg.id)}", headers=operator, json={**package_fields, "name": "家庭版·改"}),
        ("POST", "/subscriptions"): lambda: client.post(
            f"{API}/subscriptions", json={"package_id": made["package"]["id"], "member_patient_ids": [pid(patient_id)]},
            headers={**headers, "Idempotency-Key": "k-client-subscribe"}),
        ("POST", "/subscriptions/{subscription_id}/renew"): lambda: remember("renewal", client.post(
            f"{API}/subscriptions/{purchase['subscription_id']}/renew",
            headers={**headers, "Idempotency-Key": "k-client-renew"})),
        ("POST", "/purchases/{purchase_id}/payments"): lambda: pay(
            client, db, headers, made["renewal"]["id"], "k-client-pay"),
    }
    writes = {(route.method, route.path.removeprefix(API)) for route in api_routes(app)
              if "family-doctor" in route.path and route.method != "GET"}
    assert writes == set(calls)
    for route, call in calls.items():
        response = call()
        assert response.status_code in (200, 201), (route, response.text)

    subscriptions = service.list_subscriptions(db, account_user_id=user.id)
    renewed = next(sub for sub in subscriptions if pid(sub.id) == purchase["subscription_id"])
    assert renewed.consultations_total == 2  # the renewal was paid: the calls did their work
    assert [sub.consultations_used for sub in subscriptions] == [0, 0]
    assert service.uses_of(db, subscription_ids=[sub.id for sub in subscriptions]) == []


def test_expiry_and_renewal_from_the_current_end(db, make_user, client):
    pkg = package(db)
    user, headers, patient_id = patient_account(db, make_user)
    subscribe_and_pay(client, db, headers, pkg.id, patient_id)
    [sub] = service.list_subscriptions(db, account_user_id=user.id)
    first_end = sub.ends_at
    renewal = service.renew(db, account_user_id=user.id, subscription_id=sub.id)
    service.confirm_payment(db, purchase_id=renewal.id, payment_ref="pay-renew-1", now=utcnow())
    assert sub.ends_at == first_end + timedelta(days=30) and sub.consultations_total == 4
    later = sub.ends_at + timedelta(seconds=1)
    assert patients.has_family_contract(db, patient_id=patient_id, now=utcnow())
    assert not patients.has_family_contract(db, patient_id=patient_id, now=later)
    assert service.consume_for_consultation(db, account_user_id=user.id, patient_id=patient_id, consultation_id=9,
                                            now=later) is None
    assert "过期" in rules.use_refusal(rules.Entitlement(sub.status, sub.ends_at, 4, 0), later)
    assert service.expire_subscriptions(db, now=utcnow()) == 0
    assert service.expire_subscriptions(db, now=later) == 1 and sub.status == "EXPIRED"
    assert not patients.has_family_contract(db, patient_id=patient_id, now=utcnow())


def test_members_must_belong_to_the_account_and_fit_the_package(client, db, make_user):
    pkg = package(db, members_covered=1)
    user, headers, patient_id = patient_account(db, make_user)
    _, _, stranger = patient_account(db, make_user)
    body = {"package_id": pid(pkg.id), "member_patient_ids": [pid(stranger)]}
    assert client.post(f"{API}/subscriptions", json=body, headers={**headers, "Idempotency-Key": "k-foreign-1"}
                       ).status_code == 403
    spouse = add_patient(db, account_user_id=user.id, data=NewPatient(
        relationship="配偶", name="陈伟", id_number=valid_id_number(birth=date(1986, 5, 5))))
    db.commit()
    body = {"package_id": pid(pkg.id), "member_patient_ids": [pid(patient_id), pid(spouse.id)]}
    too_many = client.post(f"{API}/subscriptions", json=body, headers={**headers, "Idempotency-Key": "k-many-1"})
    assert too_many.status_code == 422 and too_many.json()["code"] == "fd-too-many-members"


def test_only_operators_manage_packages(client, db, make_user):
    _, patient = make_user("patient")
    _, operator = make_user("operator")
    db.commit()
    body = {"code": "basic01", "name": "基础包", "price_cents": 9900, "period_days": 90, "included_consultations": 3,
            "response_minutes": 60, "members_covered": 1}
    assert client.post(f"{API}/admin/packages", json=body, headers=patient).status_code == 403
    assert client.post(f"{API}/admin/packages", json=body, headers=operator).status_code == 201
    assert client.post(f"{API}/admin/packages", json={**body, "price_cents": -1}, headers=operator).status_code == 422


def test_use_refusal_rules():
    now = utcnow()
    active = rules.Entitlement("ACTIVE", now + timedelta(days=1), 2, 1)
    assert rules.use_refusal(active, now) is None
    assert rules.use_refusal(rules.Entitlement("ACTIVE", now + timedelta(days=1), 2, 2), now)
    assert rules.use_refusal(rules.Entitlement("PENDING_PAYMENT", None, 2, 0), now)
    assert rules.use_refusal(rules.Entitlement("ACTIVE", now - timedelta(days=1), 2, 0), now)
    start, end = rules.renewed_period(now + timedelta(days=5), now, 30)
    assert start == now + timedelta(days=5) and end == now + timedelta(days=35)
    start, _ = rules.renewed_period(now - timedelta(days=5), now, 30)
    assert start == now


def test_pages_for_patients_and_operators(client, db, make_user):
    pkg = package(db, name="慢病管理·季度包")
    _, headers, _ = patient_account(db, make_user)
    _, operator = make_user("operator")
    db.commit()
    page = client.get("/family-doctor", headers=headers)
    assert page.status_code == 200 and "慢病管理·季度包" in page.text and "还没有签约" in page.text
    admin = client.get("/admin/family-doctor", headers=operator)
    assert admin.status_code == 200 and pkg.code in admin.text
    assert client.get("/admin/family-doctor", headers=headers).status_code == 403


def test_another_accounts_contract_and_purchase_answer_like_missing_ones(client, db, make_user):
    pkg = package(db)
    _, owner, owner_patient = patient_account(db, make_user)
    _, stranger, _ = patient_account(db, make_user)
    body = {"package_id": pid(pkg.id), "member_patient_ids": [pid(owner_patient)]}
    purchase = client.post(f"{API}/subscriptions", json=body,
                           headers={**owner, "Idempotency-Key": "k-owner-sub-1"}).json()

    def answer(url: str, key: str) -> tuple:
        response = client.post(url, json={"provider": "sandbox"}, headers={**stranger, "Idempotency-Key": key})
        body = response.json()
        body.pop("instance", None)  # the request's own path, echoed back
        return response.status_code, body

    foreign_pay = answer(f"{API}/purchases/{purchase['id']}/payments", "k-stranger-1")
    assert foreign_pay[0] == 404 and foreign_pay == answer(f"{API}/purchases/{pid(999999)}/payments", "k-stranger-2")
    foreign_renew = answer(f"{API}/subscriptions/{purchase['subscription_id']}/renew", "k-stranger-3")
    missing_renew = answer(f"{API}/subscriptions/{pid(999999)}/renew", "k-stranger-4")
    assert foreign_renew[0] == 404 and foreign_renew == missing_renew


def test_purchases_are_addressed_by_public_id_never_by_key(client, db, make_user):
    pkg = package(db)
    _, headers, patient_id = patient_account(db, make_user)
    body = {"package_id": pid(pkg.id), "member_patient_ids": [pid(patient_id)]}
    purchase = client.post(f"{API}/subscriptions", json=body,
                           headers={**headers, "Idempotency-Key": "k-public-sub-1"}).json()
    key = decode(purchase["id"])
    raw = client.post(f"{API}/purchases/{key}/payments", json={"provider": "sandbox"},
                      headers={**headers, "Idempotency-Key": "k-public-pay-1"})
    assert raw.status_code == 404
    paid = client.post(f"{API}/purchases/{purchase['id']}/payments", json={"provider": "sandbox"},
                       headers={**headers, "Idempotency-Key": "k-public-pay-2"})
    assert paid.status_code == 201 and paid.json()["redirect_url"].startswith("/pay/sandbox/pi_")
