"""When a hold stops counting. A reservation holds stock while it is "held" and its expiry lies ahead;
past that it has lapsed and its units are free again, whether or not a sweep has released it yet.

`StockBatch.reserved` keeps counting a lapsed hold until a write releases it under the batch lock
(reserve and write-off release the lapsed holds on the stock they touch, `expire_reservations` all of
them). Reads therefore never trust `reserved` alone: they add lapsed holds back through `free_stock`,
so routing, the "附近有货" filter, stock pages and reserve all agree on what is free.
"""
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, select
from sqlalchemy.orm import Session

from healthhub.inventory.models import Reservation, StockBatch


def lapsed(now: datetime) -> ColumnElement[bool]:
    """The one definition of a lapsed hold (the sweeps and the reads below all use it)."""
    return and_(Reservation.status == "held", Reservation.expires_at <= now)


@dataclass(frozen=True)
class FreeStock:
    """`units` = on hand - reserved + lapsed holds of the batch; `join` adds what `units` reads to a query."""

    lapsed_by_batch: Subquery
    units: ColumnElement[int]

    def join(self, query: Select) -> Select:
        return query.outerjoin(self.lapsed_by_batch, self.lapsed_by_batch.c.batch_id == StockBatch.id)


def free_stock(now: datetime) -> FreeStock:
    # Lapsed holds are few (abandoned checkouts between sweeps), so grouping them first is cheap.
    by_batch = (select(Reservation.batch_id, func.sum(Reservation.quantity).label("quantity"))
                .where(lapsed(now)).group_by(Reservation.batch_id).subquery("lapsed_holds"))
    return FreeStock(by_batch, StockBatch.on_hand - StockBatch.reserved + func.coalesce(by_batch.c.quantity, 0))


def lapsed_quantities(session: Session, *, batch_ids: Collection[int], now: datetime) -> dict[int, int]:
    """batch id -> units still counted in `reserved` although their hold has lapsed."""
    if not batch_ids:
        return {}
    return dict(session.execute(select(Reservation.batch_id, func.sum(Reservation.quantity)).where(
        Reservation.batch_id.in_(set(batch_ids)), lapsed(now)).group_by(Reservation.batch_id)).all())
