"""The whole-order steps after reserve: extend_order (keep the holds), commit_order (sell), release_order (give
everything back). Each takes every shipment of one order and changes all of them or none."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from healthhub.core.errors import Conflict
from healthhub.inventory import service
from healthhub.inventory.models import Reservation, StockMove
from healthhub.inventory.service import ReserveLine, ShipmentHold
from tests.inventory.conftest import NOW, TODAY, reserve_one

TTL = timedelta(minutes=15)


@pytest.fixture
def two_shipments(db, product, location, stock):
    """An order of 2 units from a north store and 1 from a south one, held for TTL; batches (north, south)."""
    pid, north, south = product(), location("warehouse"), location("warehouse")
    batches = stock(north, pid, 5, TODAY + timedelta(days=200)), stock(south, pid, 3, TODAY + timedelta(days=200))
    shipments = [ShipmentHold("W-1", [ReserveLine(pid, north.id, 2)]),
                 ShipmentHold("W-2", [ReserveLine(pid, south.id, 1)])]
    service.reserve(db, shipments=shipments, ttl=TTL, now=NOW)
    return shipments, batches


def _figures(db, batches) -> list[tuple[int, int]]:
    for batch in batches:
        db.refresh(batch)
    return [(batch.on_hand, batch.reserved) for batch in batches]


def _holds(db, refs) -> list[tuple[int, str, str]]:
    return [tuple(row) for row in db.execute(select(Reservation.id, Reservation.order_ref, Reservation.status).where(
        Reservation.order_ref.in_(refs)).order_by(Reservation.id))]


def test_commit_order_sells_every_shipment_once(db, two_shipments):
    shipments, batches = two_shipments
    views = service.commit_order(db, shipments=shipments, now=NOW)
    assert [(v.order_ref, v.quantity, v.status) for v in views] == [("W-1", 2, "committed"), ("W-2", 1, "committed")]
    assert service.commit_order(db, shipments=shipments, now=NOW) == views  # idempotent
    assert _figures(db, batches) == [(3, 0), (2, 0)]
    moves = db.execute(select(StockMove.reference, StockMove.kind, StockMove.quantity).where(
        StockMove.reference.in_(["W-1", "W-2"])).order_by(StockMove.id)).all()
    assert [tuple(m) for m in moves] == [("W-1", "sale", -2), ("W-2", "sale", -1)]


def test_commit_order_sells_a_lapsed_hold_as_held_and_takes_a_swept_one_again(db, two_shipments):
    shipments, batches = two_shipments
    lapsed_at = NOW + TTL + timedelta(minutes=1)
    before = _holds(db, ["W-1", "W-2"])
    service.commit_order(db, shipments=shipments, now=lapsed_at)  # lapsed, but nobody swept them: still ours
    assert [(id_, ref) for id_, ref, _ in _holds(db, ["W-1", "W-2"])] == [(id_, ref) for id_, ref, _ in before]
    assert _figures(db, batches) == [(3, 0), (2, 0)]

    again = [ShipmentHold("W-3", shipments[0].lines), ShipmentHold("W-4", shipments[1].lines)]
    service.reserve(db, shipments=again, ttl=TTL, now=NOW)
    assert service.expire_reservations(db, now=lapsed_at) == 2
    service.commit_order(db, shipments=again, now=lapsed_at)
    assert [status for _, _, status in _holds(db, ["W-3", "W-4"])] == ["expired", "expired", "committed", "committed"]
    assert _figures(db, batches) == [(1, 0), (1, 0)]


def test_commit_order_sells_nothing_when_a_swept_shipment_cannot_be_taken_again(db, two_shipments):
    shipments, batches = two_shipments
    swept_at = NOW + TTL + timedelta(seconds=1)
    service.expire_reservations(db, now=swept_at)
    [south] = shipments[1].lines
    reserve_one(db, order_ref="RIVAL", lines=[ReserveLine(south.product_id, south.location_id, 3)], ttl=TTL,
                now=swept_at)  # all of the south store's stock
    with pytest.raises(Conflict) as caught:
        service.commit_order(db, shipments=shipments, now=swept_at)
    assert caught.value.code == "out-of-stock"
    assert _figures(db, batches) == [(5, 0), (3, 3)]
    assert db.execute(select(StockMove).where(StockMove.reference.in_(["W-1", "W-2"]))).first() is None


def test_extend_order_keeps_holds_never_shortens_and_takes_swept_ones_again(db, two_shipments):
    shipments, batches = two_shipments
    until = NOW + timedelta(days=3)
    service.extend_order(db, shipments=shipments, until=until, now=NOW)
    views = service.extend_order(db, shipments=shipments, until=NOW + TTL, now=NOW)
    assert {(v.order_ref, v.status, v.expires_at) for v in views} == {("W-1", "held", until), ("W-2", "held", until)}
    assert service.expire_reservations(db, now=NOW + timedelta(days=1)) == 0

    swept = [ShipmentHold("W-5", shipments[0].lines)]
    service.reserve(db, shipments=swept, ttl=TTL, now=NOW)
    service.expire_reservations(db, now=NOW + TTL)
    [view] = service.extend_order(db, shipments=swept, until=until, now=NOW + TTL)
    assert (view.status, view.expires_at) == ("held", until)
    assert _figures(db, batches) == [(5, 4), (3, 1)]


def test_release_order_releases_holds_and_returns_sold_units_once(db, two_shipments):
    shipments, batches = two_shipments
    service.commit_order(db, shipments=shipments[:1], now=NOW)
    changed = service.release_order(db, order_refs=["W-1", "W-2"], reason="取消", now=NOW)
    assert [(v.order_ref, v.status, v.returned_quantity) for v in changed] == [("W-2", "released", 0),
                                                                              ("W-1", "committed", 2)]
    assert service.release_order(db, order_refs=["W-1", "W-2"], reason="取消", now=NOW) == []
    assert _figures(db, batches) == [(5, 0), (3, 0)]
    moves = db.execute(select(StockMove.kind, StockMove.quantity).where(StockMove.reference == "W-1")
                       .order_by(StockMove.id)).all()
    assert [tuple(m) for m in moves] == [("sale", -2), ("return", 2)]
