"""Turns rows into the API's output models (shared by the API and the pages)."""
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.inventory.config import inventory_settings
from healthhub.inventory.fefo import is_sellable
from healthhub.inventory.holds import lapsed_quantities
from healthhub.inventory.ledger import local_today
from healthhub.inventory.models import Location, StockBatch, StockMove
from healthhub.inventory.products import product_names
from healthhub.inventory.schemas import BatchOut, MoveOut, StockOutOut


def _location_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Location.id, Location.name).where(Location.id.in_(ids))).all())


def batch_outs(session: Session, batches: Sequence[StockBatch], *, now: datetime) -> list[BatchOut]:
    today = local_today(now)
    names = product_names(session, product_ids={b.product_id for b in batches})
    places = _location_names(session, {b.location_id for b in batches})
    shelf_life = inventory_settings().min_shelf_life_days
    lapsed = lapsed_quantities(session, batch_ids=[b.id for b in batches], now=now)  # not held any more, only not swept yet
    return [BatchOut(id=b.id, product_id=b.product_id, product_name=names[b.product_id], location_id=b.location_id,
                     location_name=places.get(b.location_id, ""), batch_no=b.batch_no, expiry_date=b.expiry_date,
                     days_to_expiry=(b.expiry_date - today).days, on_hand=b.on_hand,
                     reserved=b.reserved - lapsed.get(b.id, 0),
                     available=b.on_hand - b.reserved + lapsed.get(b.id, 0), unit_cost_cents=b.unit_cost_cents,
                     sellable=is_sellable(b.expiry_date, today=today, min_shelf_life_days=shelf_life))
            for b in batches]


def move_out(move: StockMove) -> MoveOut:
    return MoveOut(id=move.id, kind=move.kind, batch_id=move.batch_id, product_id=move.product_id,
                   location_id=move.location_id, quantity=move.quantity, unit_cost_cents=move.unit_cost_cents,
                   reference=move.reference, reason=move.reason, occurred_at=move.occurred_at)


def stock_out_outs(session: Session, rows: Sequence) -> list[StockOutOut]:
    names = product_names(session, product_ids={r.product_id for r in rows})
    places = _location_names(session, {r.location_id for r in rows})
    return [StockOutOut(product_id=r.product_id, product_name=names[r.product_id], location_id=r.location_id,
                        location_name=places.get(r.location_id, ""), last_movement_at=r.last) for r in rows]
