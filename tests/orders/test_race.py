"""PostgreSQL: 200 concurrent checkouts race for the last 50 units through the order-creation service.

Each checkout is its own thread with its own session and transaction; they come from a handful of
accounts because creating 200 accounts (argon2 password hashing) would cost more than the race."""
import threading

import pytest
from sqlalchemy import func, select

from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict
from healthhub.orders.checkout import OrderItem, create_order
from healthhub.orders.models import Order, OrderLine
from tests.orders import builders

BUYERS, UNITS, ACCOUNTS = 200, 50, 8


@pytest.mark.pg_only
def test_200_buyers_race_for_the_last_50_units(committed_db, backend):
    if backend != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    with committed_db.session_scope() as session:
        warehouse = builders.stock_location(session, code="WH-RACE")
        product = builders.make_product(session, name="布洛芬缓释胶囊", price_cents=2680, rx=False,
                                        stock=[(warehouse, UNITS)])
        accounts = [builders.make_buyer(session, username=f"racer_{i}") for i in range(ACCOUNTS)]
    buyers = [accounts[i % ACCOUNTS] for i in range(BUYERS)]
    start = threading.Barrier(BUYERS)
    outcomes: list[str] = []

    def buy(buyer_id: int, address_id: int) -> None:
        start.wait()
        try:
            with committed_db.session_scope() as session:
                create_order(session, buyer_id=buyer_id, address_id=address_id, rx=None, now=utcnow(),
                             items=[OrderItem(product, 1)])
            outcomes.append("sold")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=buy, args=buyer) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("sold") == UNITS
    assert set(outcomes) == {"sold", "out-of-stock"}
    with committed_db.session_scope() as session:
        assert session.execute(select(func.count()).select_from(Order)).scalar() == UNITS
        assert session.execute(select(func.sum(OrderLine.quantity))).scalar() == UNITS
        assert builders.available(session, product, warehouse) == 0
        assert builders.min_stock_figures(session) >= 0
