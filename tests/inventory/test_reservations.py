from datetime import timedelta

import pytest
from sqlalchemy import func, select

from healthhub.core.audit import AuditEntry
from healthhub.core.errors import AppError, Conflict, RuleViolation
from healthhub.inventory import service
from healthhub.inventory.models import Reservation, StockMove
from healthhub.inventory.service import ReserveLine, ReturnLine, ShipmentHold
from tests.inventory.conftest import NOW, TODAY, reserve_one

TTL = timedelta(minutes=15)


def _fresh(db, batch):
    db.refresh(batch)
    return batch.on_hand, batch.reserved


def test_reserve_holds_fefo_batches_and_skips_near_expiry(db, product, location, stock):
    pid, store = product(), location("warehouse")
    near = stock(store, pid, 100, TODAY + timedelta(days=10))
    soon = stock(store, pid, 3, TODAY + timedelta(days=40))
    late = stock(store, pid, 10, TODAY + timedelta(days=400))
    views = reserve_one(db, order_ref="O-1", lines=[ReserveLine(pid, store.id, 5)], ttl=TTL, now=NOW)
    assert [(v.batch_id, v.quantity, v.status) for v in views] == [(soon.id, 3, "held"), (late.id, 2, "held")]
    assert views[0].expires_at == NOW + TTL
    assert _fresh(db, near) == (100, 0) and _fresh(db, soon) == (3, 3) and _fresh(db, late) == (10, 2)


def test_reserve_is_idempotent_per_order_ref(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 10, TODAY + timedelta(days=200))
    first = reserve_one(db, order_ref="O-2", lines=[ReserveLine(pid, store.id, 4)], ttl=TTL, now=NOW)
    again = reserve_one(db, order_ref="O-2", lines=[ReserveLine(pid, store.id, 4)], ttl=TTL, now=NOW)
    assert first == again
    assert _fresh(db, batch) == (10, 4)


def test_shortfall_names_the_product_and_holds_nothing(db, product, location, stock):
    plenty, scarce, store = product("布洛芬缓释胶囊"), product("阿莫西林胶囊"), location("warehouse")
    first = stock(store, plenty, 10, TODAY + timedelta(days=200))
    stock(store, scarce, 1, TODAY + timedelta(days=200))
    with pytest.raises(Conflict) as caught:
        reserve_one(db, order_ref="O-3", lines=[ReserveLine(plenty, store.id, 2), ReserveLine(scarce, store.id, 2)],
                    ttl=TTL, now=NOW)
    assert caught.value.code == "out-of-stock"
    assert "阿莫西林胶囊" in caught.value.detail and caught.value.extra["available"] == 1
    assert _fresh(db, first) == (10, 0)
    assert db.execute(select(Reservation).where(Reservation.order_ref == "O-3")).first() is None


def test_an_order_holds_every_shipment_or_none(db, product, location, stock):
    pid, north, south = product(), location("warehouse"), location("warehouse")
    north_batch = stock(north, pid, 5, TODAY + timedelta(days=200))
    south_batch = stock(south, pid, 1, TODAY + timedelta(days=200))
    short = [ShipmentHold("O-13-1", [ReserveLine(pid, north.id, 2)]),
             ShipmentHold("O-13-2", [ReserveLine(pid, south.id, 2)])]
    with pytest.raises(Conflict) as caught:
        service.reserve(db, shipments=short, ttl=TTL, now=NOW)
    assert caught.value.code == "out-of-stock" and caught.value.extra["location_id"] == south.id
    assert _fresh(db, north_batch) == (5, 0)

    shipments = [short[0], ShipmentHold("O-13-2", [ReserveLine(pid, south.id, 1)])]
    views = service.reserve(db, shipments=shipments, ttl=TTL, now=NOW)
    assert [(v.order_ref, v.batch_id, v.quantity) for v in views] == [("O-13-1", north_batch.id, 2),
                                                                      ("O-13-2", south_batch.id, 1)]
    assert service.reserve(db, shipments=shipments, ttl=TTL, now=NOW) == views  # idempotent per shipment
    assert _fresh(db, north_batch) == (5, 2) and _fresh(db, south_batch) == (1, 1)
    with pytest.raises(AppError) as twice:
        service.reserve(db, shipments=[shipments[0], shipments[0]], ttl=TTL, now=NOW)
    assert twice.value.code == "duplicate-order-ref"


def test_commit_sells_exactly_and_writes_sale_moves_and_audit(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 10, TODAY + timedelta(days=200))
    reserve_one(db, order_ref="O-4", lines=[ReserveLine(pid, store.id, 3)], ttl=TTL, now=NOW)
    views = service.commit_reservation(db, order_ref="O-4", now=NOW)
    assert [v.status for v in views] == ["committed"]
    assert _fresh(db, batch) == (7, 0)
    assert service.commit_reservation(db, order_ref="O-4", now=NOW) == views  # idempotent
    assert _fresh(db, batch) == (7, 0)
    moves = db.execute(select(StockMove).where(StockMove.reference == "O-4")).scalars().all()
    assert [(m.kind, m.quantity) for m in moves] == [("sale", -3)]
    assert db.execute(select(AuditEntry).where(AuditEntry.action == "inventory.sale",
                                               AuditEntry.entity_id == "O-4")).first() is not None


def test_release_returns_held_stock_once(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 10, TODAY + timedelta(days=200))
    reserve_one(db, order_ref="O-5", lines=[ReserveLine(pid, store.id, 6)], ttl=TTL, now=NOW)
    assert service.release_reservation(db, order_ref="O-5", reason="用户取消", now=NOW) == 1
    assert service.release_reservation(db, order_ref="O-5", reason="用户取消", now=NOW) == 0
    assert _fresh(db, batch) == (10, 0)
    with pytest.raises(Conflict) as caught:
        service.commit_reservation(db, order_ref="O-5", now=NOW)
    assert caught.value.code == "reservation-not-held"


def test_expired_reservations_return_stock_and_reserve_sweeps_the_stock_it_needs(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 5, TODAY + timedelta(days=200))
    reserve_one(db, order_ref="ABANDONED", lines=[ReserveLine(pid, store.id, 5)], ttl=TTL, now=NOW)
    with pytest.raises(Conflict):
        reserve_one(db, order_ref="O-6", lines=[ReserveLine(pid, store.id, 1)], ttl=TTL, now=NOW + timedelta(minutes=5))
    later = NOW + TTL + timedelta(seconds=1)
    reserve_one(db, order_ref="O-6", lines=[ReserveLine(pid, store.id, 2)], ttl=TTL, now=later)
    assert _fresh(db, batch) == (5, 2)
    assert [v.status for v in service.reservations_for(db, order_ref="ABANDONED")] == ["expired"]


def test_expire_reservations_sweep_counts_and_restores(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 9, TODAY + timedelta(days=200))
    reserve_one(db, order_ref="O-7", lines=[ReserveLine(pid, store.id, 4)], ttl=TTL, now=NOW)
    reserve_one(db, order_ref="O-8", lines=[ReserveLine(pid, store.id, 3)], ttl=TTL * 4, now=NOW)
    assert service.expire_reservations(db, now=NOW + TTL * 2) == 1
    assert _fresh(db, batch) == (9, 3)
    assert service.expire_reservations(db, now=NOW + TTL * 2) == 0


def test_return_stock_puts_units_back_into_the_same_batches(db, product, location, stock):
    pid, store = product(), location("warehouse")
    first = stock(store, pid, 2, TODAY + timedelta(days=100))
    second = stock(store, pid, 10, TODAY + timedelta(days=300))
    reserve_one(db, order_ref="O-9", lines=[ReserveLine(pid, store.id, 5)], ttl=TTL, now=NOW)
    service.commit_reservation(db, order_ref="O-9", now=NOW)
    assert _fresh(db, first) == (0, 0) and _fresh(db, second) == (7, 0)
    with pytest.raises(RuleViolation) as caught:
        service.return_stock(db, order_ref="O-9", lines=[ReturnLine(pid, 6)], reason="退款", now=NOW)
    assert caught.value.code == "return-exceeds-sold"
    service.return_stock(db, order_ref="O-9", lines=[ReturnLine(pid, 1)], reason="部分退款", now=NOW)
    service.return_stock(db, order_ref="O-9", lines=None, reason="全部退款", now=NOW)
    assert _fresh(db, first) == (2, 0) and _fresh(db, second) == (10, 0)
    assert service.return_stock(db, order_ref="O-9", lines=None, reason="重复", now=NOW) == []
    returned = db.execute(select(StockMove.quantity).where(StockMove.reference == "O-9",
                                                           StockMove.kind == "return")).scalars().all()
    assert sum(returned) == 5


def test_stock_rows_stay_consistent_and_the_service_refuses_an_overdraw(db, product, location, stock):
    """A batch's counters agree with what produced them (on hand with the move ledger, reserved with the
    holds), and a reservation or write-off of more than is free is refused by the service, by name,
    before the CHECK constraint on the row would have to."""
    pid, store = product("布洛芬缓释胶囊"), location("warehouse")
    batch = stock(store, pid, 5, TODAY + timedelta(days=200))
    reserve_one(db, order_ref="O-10", lines=[ReserveLine(pid, store.id, 3)], ttl=TTL, now=NOW)
    reserve_one(db, order_ref="O-11", lines=[ReserveLine(pid, store.id, 2)], ttl=TTL, now=NOW)
    service.commit_reservation(db, order_ref="O-10", now=NOW)
    service.return_stock(db, order_ref="O-10", lines=[ReturnLine(pid, 1)], reason="部分退款", now=NOW)
    # 5 received - 3 sold + 1 returned = 3 on hand, 2 of them held by O-11: 1 free.
    with pytest.raises(Conflict) as short:
        reserve_one(db, order_ref="O-12", lines=[ReserveLine(pid, store.id, 2)], ttl=TTL, now=NOW)
    assert short.value.code == "out-of-stock" and short.value.extra["available"] == 1
    assert "布洛芬缓释胶囊" in short.value.detail
    with pytest.raises(RuleViolation) as held:
        service.write_off(db, batch_id=batch.id, quantity=2, reason="破损", now=NOW)
    assert held.value.code == "write-off-exceeds-free-stock"
    moved = db.execute(select(func.sum(StockMove.quantity)).where(StockMove.batch_id == batch.id)).scalar()
    holding = db.execute(select(func.sum(Reservation.quantity)).where(
        Reservation.batch_id == batch.id, Reservation.status == "held")).scalar()
    assert _fresh(db, batch) == (moved, holding) == (3, 2)
