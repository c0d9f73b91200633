from datetime import timedelta

import pytest
from sqlalchemy import select

from healthhub.core.audit import AuditEntry
from healthhub.core.errors import Conflict, RuleViolation
from healthhub.inventory import service
from healthhub.inventory.models import Reservation, StockBatch, StockMove
from healthhub.inventory.service import ReserveLine, ReturnLine
from tests.inventory.conftest import NOW, TODAY

TTL = timedelta(minutes=15)


def _fresh(db, batch):
    db.refresh(batch)
    return batch.on_hand, batch.reserved


def test_reserve_holds_fefo_batches_and_skips_near_expiry(db, product, location, stock):
    pid, store = product(), location("warehouse")
    near = stock(store, pid, 100, TODAY + timedelta(days=10))
    soon = stock(store, pid, 3, TODAY + timedelta(days=40))
    late = stock(store, pid, 10, TODAY + timedelta(days=400))
    views = service.reserve(db, order_ref="O-1", lines=[ReserveLine(pid, store.id, 5)], ttl=TTL, now=NOW)
    assert [(v.batch_id, v.quantity, v.status) for v in views] == [(soon.id, 3, "held"), (late.id, 2, "held")]
    assert views[0].expires_at == NOW + TTL
    assert _fresh(db, near) == (100, 0) and _fresh(db, soon) == (3, 3) and _fresh(db, late) == (10, 2)


def test_reserve_is_idempotent_per_order_ref(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 10, TODAY + timedelta(days=200))
    first = service.reserve(db, order_ref="O-2", lines=[ReserveLine(pid, store.id, 4)], ttl=TTL, now=NOW)
    again = service.reserve(db, order_ref="O-2", lines=[ReserveLine(pid, store.id, 4)], ttl=TTL, now=NOW)
    assert first == again
    assert _fresh(db, batch) == (10, 4)


def test_shortfall_names_the_product_and_holds_nothing(db, product, location, stock):
    plenty, scarce, store = product("布洛芬缓释胶囊"), product("阿莫西林胶囊"), location("warehouse")
    first = stock(store, plenty, 10, TODAY + timedelta(days=200))
    stock(store, scarce, 1, TODAY + timedelta(days=200))
    with pytest.raises(Conflict) as caught:
        service.reserve(db, order_ref="O-3", lines=[ReserveLine(plenty, store.id, 2), ReserveLine(scarce, store.id, 2)],
                        ttl=TTL, now=NOW)
    assert caught.value.code == "out-of-stock"
    assert "阿莫西林胶囊" in caught.value.detail and caught.value.extra["available"] == 1
    assert _fresh(db, first) == (10, 0)
    assert db.execute(select(Reservation).where(Reservation.order_ref == "O-3")).first() is None


def test_commit_sells_exactly_and_writes_sale_moves_and_audit(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 10, TODAY + timedelta(days=200))
    service.reserve(db, order_ref="O-4", lines=[ReserveLine(pid, store.id, 3)], ttl=TTL, now=NOW)
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
    service.reserve(db, order_ref="O-5", lines=[ReserveLine(pid, store.id, 6)], ttl=TTL, now=NOW)
    assert service.release_reservation(db, order_ref="O-5", reason="用户取消", now=NOW) == 1
    assert service.release_reservation(db, order_ref="O-5", reason="用户取消", now=NOW) == 0
    assert _fresh(db, batch) == (10, 0)
    with pytest.raises(Conflict) as caught:
        service.commit_reservation(db, order_ref="O-5", now=NOW)
    assert caught.value.code == "reservation-not-held"


def test_expired_reservations_return_stock_and_reserve_sweeps_the_stock_it_needs(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 5, TODAY + timedelta(days=200))
    service.reserve(db, order_ref="ABANDONED", lines=[ReserveLine(pid, store.id, 5)], ttl=TTL, now=NOW)
    with pytest.raises(Conflict):
        service.reserve(db, order_ref="O-6", lines=[ReserveLine(pid, store.id, 1)], ttl=TTL, now=NOW + timedelta(minutes=5))
    later = NOW + TTL + timedelta(seconds=1)
    service.reserve(db, order_ref="O-6", lines=[ReserveLine(pid, store.id, 2)], ttl=TTL, now=later)
    assert _fresh(db, batch) == (5, 2)
    assert [v.status for v in service.reservations_for(db, order_ref="ABANDONED")] == ["expired"]


def test_expire_reservations_sweep_counts_and_restores(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 9, TODAY + timedelta(days=200))
    service.reserve(db, order_ref="O-7", lines=[ReserveLine(pid, store.id, 4)], ttl=TTL, now=NOW)
    service.reserve(db, order_ref="O-8", lines=[ReserveLine(pid, store.id, 3)], ttl=TTL * 4, now=NOW)
    assert service.expire_reservations(db, now=NOW + TTL * 2) == 1
    assert _fresh(db, batch) == (9, 3)
    assert service.expire_reservations(db, now=NOW + TTL * 2) == 0


def test_return_stock_puts_units_back_into_the_same_batches(db, product, location, stock):
    pid, store = product(), location("warehouse")
    first = stock(store, pid, 2, TODAY + timedelta(days=100))
    second = stock(store, pid, 10, TODAY + timedelta(days=300))
    service.reserve(db, order_ref="O-9", lines=[ReserveLine(pid, store.id, 5)], ttl=TTL, now=NOW)
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


def test_stock_rows_stay_consistent(db, product, location, stock):
    pid, store = product(), location("warehouse")
    stock(store, pid, 3, TODAY + timedelta(days=200))
    service.reserve(db, order_ref="O-10", lines=[ReserveLine(pid, store.id, 3)], ttl=TTL, now=NOW)
    rows = db.execute(select(StockBatch.on_hand, StockBatch.reserved).where(StockBatch.product_id == pid)).all()
    assert all(0 <= reserved <= on_hand for on_hand, reserved in rows)
