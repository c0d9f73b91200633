"""Two orders over the same batches, each passing its shipments in its own routing order, from two threads
with real commits. Locked shipment by shipment, one order locks north then south and the other south then
north, and PostgreSQL breaks the deadlock by failing one of them; every whole-order call (reserve, then
extend_order, commit_order and release_order along the order's lifecycle) locks all of the order's
batches in one id-ordered statement, so the second order waits for the first instead."""
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from healthhub.catalog.schemas import ProductCreate
from healthhub.catalog.service import create_product
from healthhub.inventory import service
from healthhub.inventory.models import Reservation, StockBatch, StockMove
from healthhub.inventory.service import ReserveLine, ShipmentHold
from tests.inventory.conftest import NOW, TODAY

# Locked shipment by shipment, 36 to 40 rounds in 40 (and 19 to 20 in 20) deadlocked here: 20 cannot miss.
ROUNDS = 20
START = 2 * ROUNDS + 10  # every round takes two units of each batch; enough is left that none runs short
TTL = timedelta(minutes=15)


@dataclass(frozen=True)
class TwoStores:
    product_id: int
    north: int
    south: int

    def shipments(self, order_ref: str, routing_order: str) -> list[ShipmentHold]:
        """One unit from each store, shipment 1 from the first store of `routing_order` ("NS" or "SN")."""
        stores = {"N": self.north, "S": self.south}
        return [ShipmentHold(f"{order_ref}-{seq}", [ReserveLine(self.product_id, stores[code], 1)])
                for seq, code in enumerate(routing_order, start=1)]


@pytest.fixture
def stores(committed_db, backend) -> TwoStores:
    if backend != "postgresql":
        pytest.skip("row-lock deadlocks need PostgreSQL")
    with committed_db.session_scope() as session:
        pid = create_product(session, data=ProductCreate(kind="health", generic_name="双仓口罩", manufacturer="测试厂家",
                                                    category="医疗器械", list_price_cents=990)).id
        created = [service.add_location(session, kind="warehouse", code=f"LOCK-{n}", name=f"{n}仓",
                                        city_adcode="110000", same_day_cutoff_hour=15) for n in ("北", "南")]
        for store in created:
            service.receive_stock(session, location=store, product_id=pid, batch_no=f"L-{store.code}",
                                  expiry_date=TODAY + timedelta(days=200), quantity=START, unit_cost_cents=500,
                                  now=NOW)
        return TwoStores(pid, *(store.id for store in created))


def race(committed_db, pool: ThreadPoolExecutor, step: str, *work: Callable[[Session], object]) -> list[str]:
    """Runs each piece of work in its own transaction, all starting at the same moment; returns
    "<step>: <SQLSTATE>" for each that the database failed (40P01 deadlock, 40001, 55P03 lock timeout)."""
    all_started = Barrier(len(work))

    def run(one: Callable[[Session], object]) -> str | None:
        all_started.wait()
        try:
            with committed_db.session_scope() as session:
                one(session)
        except DBAPIError as exc:
            return f"{step}: {getattr(exc.orig, 'sqlstate', None) or type(exc.orig).__name__}"
        return None

    return [failure for failure in pool.map(run, work) if failure is not None]


def batch_figures(session: Session, product_id: int) -> list[tuple[int, int]]:
    """(on hand, reserved) per batch, north first."""
    return [tuple(row) for row in session.execute(select(StockBatch.on_hand, StockBatch.reserved).where(
        StockBatch.product_id == product_id).order_by(StockBatch.location_id))]


@pytest.mark.pg_only
def test_orders_reserving_shipments_in_opposite_routing_order_never_deadlock(committed_db, stores):
    failures = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(ROUNDS):
            failures += race(committed_db, pool, "reserve", *(
                lambda session, shipments=stores.shipments(ref, order): service.reserve(
                    session, shipments=shipments, ttl=TTL, now=NOW)
                for ref, order in ((f"A{n}", "NS"), (f"B{n}", "SN"))))
    assert failures == []

    with committed_db.session_scope() as session:
        held = session.execute(select(Reservation.location_id, func.count(), func.sum(Reservation.quantity))
                               .where(Reservation.status == "held").group_by(Reservation.location_id)
                               .order_by(Reservation.location_id)).all()
        # Nothing lost or made up: per batch, what is held plus what is free is what was received.
        assert batch_figures(session, stores.product_id) == [(START, 2 * ROUNDS)] * 2
    assert [tuple(row) for row in held] == [(stores.north, 2 * ROUNDS, 2 * ROUNDS),
                                            (stores.south, 2 * ROUNDS, 2 * ROUNDS)]


@pytest.mark.pg_only
def test_lifecycle_steps_of_orders_in_opposite_routing_order_never_deadlock(committed_db, stores):
    """Each round places two orders (A: north then south, B: south then north), then races them through
    what the order lifecycle does to stock: keep the holds while a pharmacist reviews (extend_order),
    then either sell (commit_order, allocation after payment) and cancel (release_order returns the sold
    units), or cancel while still held (release_order releases the holds)."""
    later = NOW + timedelta(minutes=5)
    failures = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(ROUNDS):
            orders = [stores.shipments(f"A{n}", "NS"), stores.shipments(f"B{n}", "SN")]
            with committed_db.session_scope() as session:
                for shipments in orders:
                    service.reserve(session, shipments=shipments, ttl=TTL, now=NOW)
            failures += race(committed_db, pool, "extend", *(
                lambda session, shipments=shipments: service.extend_order(
                    session, shipments=shipments, until=NOW + timedelta(days=3), now=later) for shipments in orders))
            if n % 2 == 0:
                failures += race(committed_db, pool, "commit", *(
                    lambda session, shipments=shipments: service.commit_order(session, shipments=shipments, now=later)
                    for shipments in orders))
            failures += race(committed_db, pool, "release", *(
                lambda session, refs=[s.order_ref for s in shipments]: service.release_order(
                    session, order_refs=refs, reason="取消", now=later) for shipments in orders))
    assert failures == []

    sold_rounds = len(range(0, ROUNDS, 2))
    with committed_db.session_scope() as session:
        # Nothing lost or made up: every unit is back on hand and free, and the ledger says how.
        assert batch_figures(session, stores.product_id) == [(START, 0)] * 2
        moves = session.execute(select(StockMove.location_id, StockMove.kind, func.sum(StockMove.quantity))
                                .group_by(StockMove.location_id, StockMove.kind)
                                .order_by(StockMove.location_id, StockMove.kind)).all()
        outcomes = session.execute(select(Reservation.status, func.count(), func.sum(Reservation.returned_quantity))
                                   .group_by(Reservation.status).order_by(Reservation.status)).all()
    assert [tuple(row) for row in moves] == [
        (store, kind, quantity) for store in (stores.north, stores.south)
        for kind, quantity in (("receipt", START), ("return", 2 * sold_rounds), ("sale", -2 * sold_rounds))]
    assert [tuple(row) for row in outcomes] == [("committed", 4 * sold_rounds, 4 * sold_rounds),
                                                ("released", 4 * (ROUNDS - sold_rounds), 0)]
