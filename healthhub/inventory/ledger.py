"""Building blocks every stock write uses: row locking in one global order, the move ledger, local dates."""
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from healthhub.core.context import actor_var
from healthhub.inventory.models import StockBatch, StockMove
from healthhub.core.dates import CHINA


def require_aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (use core.db.utcnow())")
    return now


def local_today(now: datetime) -> date:
    """Expiry dates are calendar dates in China; 'today' is the China date, not the UTC one."""
    return require_aware(now).astimezone(CHINA).date()


def lock_batches(session: Session, *, batch_ids: Collection[int] = (),
                 product_locations: Collection[tuple[int, int]] = (), also: Select | None = None
                 ) -> list[StockBatch]:
    """Locks batch rows (those with the given ids and those of the given product/location pairs) in
    primary-key order (FOR UPDATE on PostgreSQL; SQLite already serialises writers) and reloads them,
    so what the caller reads is what it holds. Every stock write locks batches this way, in one
    statement, before touching reservations or the audit log: one global lock order, no deadlocks.

    `also` (a query of batch ids) adds batches found by an unlocked look-up read in the same statement,
    saving the round trip of asking first; callers re-check under the lock whatever it was based on."""
    if not batch_ids and not product_locations:
        return []
    wanted = batches_matching(batch_ids, product_locations)
    if also is not None:
        # A union of ids rather than an OR, which PostgreSQL could only answer by scanning every batch.
        wanted = StockBatch.id.in_(union_all(select(StockBatch.id).where(wanted).correlate(None), also.correlate(None)))
    query = (select(StockBatch).where(wanted).order_by(StockBatch.id)
             .with_for_update(of=StockBatch).execution_options(populate_existing=True))
    return list(session.execute(query).scalars())


def batches_matching(batch_ids: Collection[int], product_locations: Collection[tuple[int, int]]
                     ) -> ColumnElement[bool]:
    """Batches with the given ids or of the given product/location pairs (at least one must be given)."""
    wanted = []
    if batch_ids:
        wanted.append(StockBatch.id.in_(sorted(set(batch_ids))))
    if product_locations:
        wanted.append(tuple_(StockBatch.product_id, StockBatch.location_id).in_(sorted(set(product_locations))))
    return or_(*wanted)


def record_move(session: Session, *, kind: str, batch: StockBatch, quantity: int, reference: str | None,
                reason: str, now: datetime) -> StockMove:
    move = StockMove(kind=kind, batch_id=batch.id, product_id=batch.product_id, location_id=batch.location_id,
                     quantity=quantity, unit_cost_cents=batch.unit_cost_cents, reference=reference, reason=reason,
                     actor_user_id=actor_var.get().user_id, occurred_at=require_aware(now))
    session.add(move)
    return move
