"""PostgreSQL: 200 concurrent checkouts by 200 buyers race for the last 50 units through the order-creation
service. Each checkout is its own thread with its own session and transaction.

The race gets its own engine: the application pool (10 + 20 overflow) would quietly queue most buyers
behind each other. RACE_CONNECTIONS of them hold a transaction at the same time; the rest wait for a
connection, as they would behind a real server's pool. It is bounded because every test worker and
the test database's fixtures share PostgreSQL's max_connections (100 by default)."""
import threading
from collections import Counter

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict
from healthhub.inventory import service as inventory
from healthhub.orders.checkout import OrderItem
from healthhub.orders.lifecycle import create_order
from healthhub.orders.models import Order, OrderLine, Shipment
from tests.orders import builders

BUYERS, UNITS, RACE_CONNECTIONS = 200, 50, 40


@pytest.mark.pg_only
def test_200_buyers_race_for_the_last_50_units(committed_db, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    # Racers never log in, so their accounts skip argon2 (200 hashes would cost more than the race).
    monkeypatch.setattr("healthhub.identity.service.hash_password", lambda _password: "!no-login")
    with committed_db.session_scope() as session:
        warehouse = builders.stock_location(session, code="WH-RACE")
        product = builders.make_product(session, name="布洛芬缓释胶囊", price_cents=2680, rx=False,
                                        stock=[(warehouse, UNITS)])
        buyers = [builders.make_buyer(session, username=f"racer_{i}") for i in range(BUYERS)]
    race = create_engine(committed_db.url, pool_size=RACE_CONNECTIONS, max_overflow=0, pool_timeout=120)
    start = threading.Barrier(BUYERS)
    lock = threading.Lock()
    outcomes: dict[int, str] = {}
    in_flight = peak = 0

    def buy(n: int, buyer_id: int, address_id: int) -> None:
        nonlocal in_flight, peak
        try:
            start.wait(timeout=60)
            with Session(race, expire_on_commit=False) as session, session.begin():
                session.connection()  # a transaction is open from here on
                with lock:
                    in_flight += 1
                    peak = max(peak, in_flight)
                try:
                    create_order(session, buyer_id=buyer_id, address_id=address_id, rx=None, now=utcnow(),
                                 items=[OrderItem(product, 1)])
                finally:
                    with lock:
                        in_flight -= 1
            outcome = "sold"
        except Conflict as exc:
            outcome = exc.code
        except BaseException as exc:  # noqa: BLE001 - recorded and failed on below, never lost in the thread
            outcome = f"error: {exc!r}"
        with lock:
            outcomes[n] = outcome

    threads = [threading.Thread(target=buy, args=(n, *buyer)) for n, buyer in enumerate(buyers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        race.dispose()
    assert not any(thread.is_alive() for thread in threads), "a buyer thread hung"
    assert len(outcomes) == BUYERS, f"{BUYERS - len(outcomes)} buyers produced no outcome"
    counts = Counter(outcomes.values())
    assert set(counts) <= {"sold", "out-of-stock"}, counts
    assert counts["sold"] == UNITS and counts["out-of-stock"] == BUYERS - UNITS
    assert peak > RACE_CONNECTIONS // 2, f"only {peak} checkouts overlapped: the race was not real"
    with committed_db.session_scope() as session:
        assert session.execute(select(func.count()).select_from(Order)).scalar() == UNITS
        assert session.execute(select(func.count(func.distinct(Order.buyer_id)))).scalar() == UNITS
        assert session.execute(select(func.sum(OrderLine.quantity))).scalar() == UNITS
        refs = session.execute(select(Shipment.reservation_ref)).scalars().all()
        held = [v for ref in refs for v in inventory.reservations_for(session, order_ref=ref) if v.status == "held"]
        assert len(refs) == UNITS and sorted(v.order_ref for v in held) == sorted(refs)  # every order holds its unit
        assert builders.available(session, product, warehouse) == 0
        assert builders.min_stock_figures(session) >= 0
