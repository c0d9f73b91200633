from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from healthhub.catalog.schemas import ProductCreate
from healthhub.catalog.service import create_product
from healthhub.core.errors import Conflict
from healthhub.inventory import service
from healthhub.inventory.models import Reservation, StockBatch
from healthhub.inventory.reports import turnover_days
from healthhub.inventory.service import ReserveLine, ReturnLine
from tests.inventory.conftest import NOW, TODAY, reserve_one


@pytest.mark.pg_only
def test_200_concurrent_buyers_for_the_last_50_units(committed_db, backend):
    if backend != "postgresql":
        pytest.skip("row-lock race needs PostgreSQL")
    with committed_db.session_scope() as session:
        pid = create_product(session, data=ProductCreate(kind="health", generic_name="最后一批口罩", manufacturer="测试厂家",
                                                    category="医疗器械", list_price_cents=990)).id
        store = service.add_location(session, kind="warehouse", code="RACE", name="抢购仓", city_adcode="110000",
                                     same_day_cutoff_hour=15)
        for expiry_days, quantity in ((100, 20), (200, 30)):
            service.receive_stock(session, location=store, product_id=pid, batch_no=f"R{expiry_days}",
                                  expiry_date=TODAY + timedelta(days=expiry_days), quantity=quantity,
                                  unit_cost_cents=500, now=NOW)
        store_id = store.id

    def buy(n: int) -> bool:
        try:
            with committed_db.session_scope() as session:
                reserve_one(session, order_ref=f"RACE-{n}", lines=[ReserveLine(pid, store_id, 1)],
                            ttl=timedelta(minutes=15), now=NOW)
            return True
        except Conflict as exc:
            assert exc.code == "out-of-stock"
            return False

    with ThreadPoolExecutor(max_workers=24) as pool:
        outcomes = list(pool.map(buy, range(200)))
    assert sum(outcomes) == 50
    with committed_db.session_scope() as session:
        on_hand, reserved = session.execute(select(func.sum(StockBatch.on_hand), func.sum(StockBatch.reserved))
                                            .where(StockBatch.product_id == pid)).one()
        held = session.execute(select(func.sum(Reservation.quantity)).where(Reservation.status == "held")).scalar()
        assert (on_hand, reserved, held) == (50, 50, 50)
        assert session.execute(select(func.min(StockBatch.on_hand - StockBatch.reserved))).scalar() == 0


def test_turnover_formula_worked_example():
    # Opened the month with ¥10,000 of stock, closed with ¥6,000, sold goods that cost ¥24,000 over 30 days:
    # average inventory ¥8,000 / COGS ¥24,000 x 30 days = 10.0 days.
    assert turnover_days(opening_value_cents=1_000_000, closing_value_cents=600_000, cogs_cents=2_400_000,
                         days=30) == Decimal("10.0")
    assert turnover_days(opening_value_cents=500, closing_value_cents=500, cogs_cents=0, days=30) is None


def test_turnover_from_the_ledger(db, product, location):
    pid, store = product(), location("warehouse")
    # Before the period: receive 100 units at ¥10 (opening value ¥1,000).
    service.receive_stock(db, location=store, product_id=pid, batch_no="T1", expiry_date=date(2027, 12, 31),
                          quantity=100, unit_cost_cents=1000, now=datetime(2026, 10, 20, tzinfo=UTC))
    inside = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)
    reserve_one(db, order_ref="T-1", lines=[ReserveLine(pid, store.id, 60)], ttl=timedelta(hours=1), now=inside)
    service.commit_reservation(db, order_ref="T-1", now=inside)  # COGS ¥600
    service.return_stock(db, order_ref="T-1", lines=[ReturnLine(pid, 10)], reason="退货", now=inside)  # COGS ¥500
    # Opening ¥1,000, closing ¥500, average ¥750; ¥750 / ¥500 x 30 days = 45.0 days.
    assert service.inventory_turnover_days(db, start=date(2026, 11, 1), end=date(2026, 11, 30),
                                           location_id=store.id) == Decimal("45.0")
    assert service.inventory_turnover_days(db, start=date(2026, 9, 1), end=date(2026, 9, 30),
                                           location_id=store.id) is None
