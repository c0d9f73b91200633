"""Inventory turnover days = average inventory cost / cost of goods sold x days in the period.

Inventory value at a moment is rebuilt from the move ledger (each move carries its batch's unit
cost), so the figure for a past period never changes when today's stock does. Average inventory is
the mean of the opening and closing values; cost of goods sold is sales minus customer returns.
Periods are whole China-local days, `start` and `end` included.
"""
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthhub.core.errors import AppError
from healthhub.inventory.errors import ErrorCode
from healthhub.inventory.models import StockMove
from healthhub.core.dates import CHINA


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA)


def _value_before(session: Session, moment: datetime, location_id: int | None) -> int:
    query = select(func.coalesce(func.sum(StockMove.quantity * StockMove.unit_cost_cents), 0)).where(
        StockMove.occurred_at < moment)
    if location_id is not None:
        query = query.where(StockMove.location_id == location_id)
    return int(session.execute(query).scalar_one())


def turnover_days(*, opening_value_cents: int, closing_value_cents: int, cogs_cents: int, days: int
                  ) -> Decimal | None:
    """The formula itself, over plain numbers; None when nothing was sold (turnover is undefined)."""
    if cogs_cents <= 0:
        return None
    average = Decimal(opening_value_cents + closing_value_cents) / 2
    return (average / Decimal(cogs_cents) * days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def inventory_turnover_days(session: Session, *, start: date, end: date, location_id: int | None = None
                            ) -> Decimal | None:
    if end < start:
        raise AppError("结束日期不能早于开始日期 / end date is before start date", code=ErrorCode.INVALID_PERIOD)
    period_start, period_end = _day_start(start), _day_start(end + timedelta(days=1))
    query = select(func.coalesce(func.sum(-StockMove.quantity * StockMove.unit_cost_cents), 0)).where(
        StockMove.kind.in_(("sale", "return")), StockMove.occurred_at >= period_start,
        StockMove.occurred_at < period_end)
    if location_id is not None:
        query = query.where(StockMove.location_id == location_id)
    return turnover_days(opening_value_cents=_value_before(session, period_start, location_id),
                         closing_value_cents=_value_before(session, period_end, location_id),
                         cogs_cents=int(session.execute(query).scalar_one()), days=(end - start).days + 1)
