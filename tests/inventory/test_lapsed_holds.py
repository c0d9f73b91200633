"""A hold that has passed its expiry is free stock on every path (routing, the "附近有货" filter, stock
pages, reserve, write-off), whether or not a sweep has released it yet."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from healthhub.core.errors import Conflict
from healthhub.inventory import service
from healthhub.inventory.models import Reservation, StockMove
from healthhub.inventory.routing import RouteLine
from healthhub.inventory.service import ReserveLine
from healthhub.inventory.stock import batches_query, stock_outs_query
from healthhub.inventory.views import batch_outs
from tests.inventory.conftest import NOW, TODAY, reserve_one
from tests.inventory.test_routing import HOME

TTL = timedelta(minutes=15)
LATER = NOW + TTL + timedelta(seconds=1)
EXPIRY = TODAY + timedelta(days=300)


def _statuses(db, order_ref: str) -> list[str]:
    return [v.status for v in service.reservations_for(db, order_ref=order_ref)]


def test_routing_and_nearby_filter_count_a_lapsed_hold_as_free(db, product, location, stock):
    pid, pharmacy = product(), location("pharmacy")
    stock(pharmacy, pid, 3, EXPIRY)
    reserve_one(db, order_ref="GONE-1", lines=[ReserveLine(pid, pharmacy.id, 3)], ttl=TTL, now=NOW)

    held_plan = service.route_order(db, lines=[RouteLine(pid, 3)], destination=HOME, now=NOW)
    assert held_plan.shipments == []
    assert pid not in service.product_ids_in_stock_near(db, lat=HOME.lat, lng=HOME.lng, radius_km=3, now=NOW)

    plan = service.route_order(db, lines=[RouteLine(pid, 3)], destination=HOME, now=LATER)
    assert [(s.channel, s.location_id) for s in plan.shipments] == [("instant", pharmacy.id)]
    assert pid in service.product_ids_in_stock_near(db, lat=HOME.lat, lng=HOME.lng, radius_km=3, now=LATER)
    assert _statuses(db, "GONE-1") == ["held"]  # reads change nothing: the next write releases it


def test_reserve_releases_the_whole_lapsed_order_even_on_stock_it_was_not_asked_for(db, product, location, stock):
    scarce, other, store = product("布洛芬缓释胶囊"), product("维生素C泡腾片"), location("warehouse")
    scarce_batch = stock(store, scarce, 5, EXPIRY)
    other_batch = stock(store, other, 4, EXPIRY)
    reserve_one(db, order_ref="GONE-2", ttl=TTL, now=NOW,
                lines=[ReserveLine(scarce, store.id, 5), ReserveLine(other, store.id, 4)])

    views = reserve_one(db, order_ref="NEXT-2", lines=[ReserveLine(scarce, store.id, 5)], ttl=TTL, now=LATER)

    assert [v.quantity for v in views] == [5]
    assert _statuses(db, "GONE-2") == ["expired", "expired"]  # never half held
    db.refresh(scarce_batch), db.refresh(other_batch)
    assert (scarce_batch.on_hand, scarce_batch.reserved) == (5, 5)
    assert (other_batch.on_hand, other_batch.reserved) == (4, 0)
    # Expiry changes no on-hand figure, so it writes no stock move; the reservation rows record it.
    assert db.execute(select(StockMove).where(StockMove.reference == "GONE-2")).first() is None
    expired = db.execute(select(Reservation).where(Reservation.order_ref == "GONE-2")).scalars().all()
    assert all(r.resolved_at == LATER and r.resolution_reason == "预留超时自动释放" for r in expired)


def test_a_hold_not_yet_lapsed_still_blocks(db, product, location, stock):
    pid, store = product(), location("warehouse")
    stock(store, pid, 2, EXPIRY)
    reserve_one(db, order_ref="LIVE-3", lines=[ReserveLine(pid, store.id, 2)], ttl=TTL, now=NOW)
    with pytest.raises(Conflict) as caught:
        reserve_one(db, order_ref="NEXT-3", lines=[ReserveLine(pid, store.id, 1)], ttl=TTL,
                    now=NOW + TTL - timedelta(seconds=1))
    assert caught.value.code == "out-of-stock"
    assert _statuses(db, "LIVE-3") == ["held"]


def test_stock_pages_and_write_off_ignore_a_lapsed_hold(db, product, location, stock):
    pid, store = product(), location("warehouse")
    batch = stock(store, pid, 6, EXPIRY)
    reserve_one(db, order_ref="GONE-4", lines=[ReserveLine(pid, store.id, 6)], ttl=TTL, now=NOW)
    stock_outs = db.execute(stock_outs_query(now=NOW, location_ids=[store.id])).all()
    assert [(row.product_id, row.location_id) for row in stock_outs] == [(pid, store.id)]

    assert db.execute(stock_outs_query(now=LATER, location_ids=[store.id])).all() == []
    [shown] = batch_outs(db, db.execute(batches_query(location_ids=[store.id])).scalars().all(), now=LATER)
    assert (shown.on_hand, shown.reserved, shown.available) == (6, 0, 6)

    service.write_off(db, batch_id=batch.id, quantity=2, reason="破损", now=LATER)
    db.refresh(batch)
    assert (batch.on_hand, batch.reserved) == (4, 0) and _statuses(db, "GONE-4") == ["expired"]
