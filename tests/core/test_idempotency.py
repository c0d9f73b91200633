"""One idempotency mechanism for every money or stock write (core/idempotency.py).

Sequential retries replay the stored answer; the same key with another body is refused; and on
PostgreSQL N identical requests sent at once make exactly one change: every other caller gets the
replay, or a clear 409/503 to retry, never a 500."""
import threading
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from healthhub.catalog.models import Product
from healthhub.catalog.schemas import ProductCreate
from healthhub.catalog.service import create_product
from healthhub.core.config import get_settings
from healthhub.core.errors import Conflict
from healthhub.core.idempotency import IdempotencyRecord, idempotent
from healthhub.family_doctor import service as family_doctor
from healthhub.family_doctor.models import Purchase
from healthhub.family_doctor.schemas import PackageIn
from healthhub.patients.service import NewPatient, add_patient
from healthhub.inventory import service as inventory
from healthhub.inventory.models import StockBatch
from tests.factories import create_user_with_token, pid, valid_id_number

PARALLEL = 8


def test_a_retry_replays_and_another_body_is_refused(db):
    runs = []

    def run():
        runs.append(1)
        return 201, {"made": len(runs)}

    first = idempotent(db, scope="test.make", owner=7, key="key-00000001", body={"a": 1}, run=run)
    again = idempotent(db, scope="test.make", owner=7, key="key-00000001", body={"a": 1}, run=run)
    assert (first.status_code, first.body) == (again.status_code, again.body) == (201, b'{"made":1}')
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    with pytest.raises(Conflict) as reused:
        idempotent(db, scope="test.make", owner=7, key="key-00000001", body={"a": 2}, run=run)
    assert reused.value.code == "idempotency-key-reused"
    other_owner = idempotent(db, scope="test.make", owner=8, key="key-00000001", body={"a": 1}, run=run)
    assert other_owner.body == b'{"made":2}' and len(runs) == 2
    assert db.execute(select(func.count()).select_from(IdempotencyRecord)).scalar_one() == 2


def test_a_failed_write_leaves_the_key_free(db):
    def fail():
        raise Conflict("nope", code="test-refused")

    with pytest.raises(Conflict), db.begin_nested():  # the request's transaction rolls back
        idempotent(db, scope="test.fail", owner=1, key="key-00000002", body={}, run=fail)
    done = idempotent(db, scope="test.fail", owner=1, key="key-00000002", body={}, run=lambda: {"ok": True})
    assert done.status_code == 200 and done.body == b'{"ok":true}'


def _inventory_receipt(session):
    _, headers = create_user_with_token(session, role="operator")
    product_id = create_product(session, data=ProductCreate(kind="health", generic_name="并发口罩", manufacturer="测试厂家",
                                                       category="医疗器械", list_price_cents=990)).id
    store = inventory.add_location(session, kind="warehouse", code="IDEM", name="并发仓", city_adcode="110000",
                                   same_day_cutoff_hour=15)
    body = {"location_id": pid(store.id), "product_id": pid(product_id), "batch_no": "L-IDEM-1", "quantity": 20,
            "expiry_date": (date.today() + timedelta(days=400)).isoformat(), "unit_cost_cents": 800}
    return "/api/v1/inventory/receipts", body, headers, select(func.count()).select_from(StockBatch)


def _catalogue_product(session):
    _, headers = create_user_with_token(session, role="operator")
    body = {"kind": "health", "generic_name": "并发体温计", "manufacturer": "测试厂家", "category": "医疗器械",
            "list_price_cents": 1990}
    return "/api/v1/catalog/products", body, headers, select(func.count()).select_from(Product).where(
        Product.generic_name == "并发体温计")


def _family_doctor_subscription(session):
    user, headers = create_user_with_token(session, role="patient")
    holder = add_patient(session, account_user_id=user.id, data=NewPatient(
        relationship="本人", name="钱多多", id_number=valid_id_number(birth=date(1985, 3, 4))))
    package = family_doctor.save_package(session, data=PackageIn(
        code="idem-pkg", name="家庭医生·并发版", price_cents=39900, period_days=30, included_consultations=2,
        response_minutes=30, members_covered=2))
    body = {"package_id": pid(package.id), "member_patient_ids": [pid(holder.id)]}
    return "/api/v1/family-doctor/subscriptions", body, headers, select(func.count()).select_from(Purchase)


@pytest.mark.pg_only
@pytest.mark.parametrize("write", [_inventory_receipt, _catalogue_product, _family_doctor_subscription])
def test_parallel_identical_requests_make_one_change(committed_db, backend, write):
    if backend != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions (SQLite serialises every writer)")
    from healthhub.app import create_app  # noqa: PLC0415

    with committed_db.session_scope() as session:
        url, body, headers, effects = write(session)
    headers = {**headers, "Idempotency-Key": "parallel-retry-0001"}
    start = threading.Barrier(PARALLEL)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    with TestClient(create_app(get_settings(), committed_db), raise_server_exceptions=False) as client:
        def send() -> None:
            start.wait(timeout=30)
            response = client.post(url, json=body, headers=headers)
            with lock:
                answers.append((response.status_code, response.json()))

        threads = [threading.Thread(target=send) for _ in range(PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    statuses = sorted(status for status, _ in answers)
    assert len(answers) == PARALLEL and set(statuses) <= {201, 409, 503}, answers
    made = [answer for status, answer in answers if status == 201]
    assert made and all(answer == made[0] for answer in made), answers
    with committed_db.session_scope() as session:
        assert session.execute(effects).scalar_one() == 1
    print(f"\n{url}: {PARALLEL} parallel identical requests -> statuses {statuses}")
