"""Stock figures read straight from inventory's tables, for other domains' tests that must see what their use
cases did to stock (inventory's own tests read the tables directly)."""
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthhub.inventory.models import StockBatch, StockMove


def _sum(session: Session, column, product_id: int, location_id: int) -> int:
    return session.execute(select(func.coalesce(func.sum(column), 0)).where(
        StockBatch.product_id == product_id, StockBatch.location_id == location_id)).scalar_one()


def on_hand(session: Session, product_id: int, location_id: int) -> int:
    session.expire_all()
    return _sum(session, StockBatch.on_hand, product_id, location_id)


def available(session: Session, product_id: int, location_id: int) -> int:
    session.expire_all()
    return _sum(session, StockBatch.on_hand - StockBatch.reserved, product_id, location_id)


def min_stock_figures(session: Session) -> int:
    """The smallest of on-hand, reserved and available over all batches: negative means stock went wrong."""
    return session.execute(select(func.min(func.least(StockBatch.on_hand, StockBatch.reserved,
                                                      StockBatch.on_hand - StockBatch.reserved)))).scalar_one()


def moves_referencing(session: Session, references: Collection[str]) -> list[StockMove]:
    return list(session.execute(select(StockMove).where(StockMove.reference.in_(references))).scalars())
