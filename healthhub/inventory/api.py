"""Inventory REST API: receipts and write-offs (idempotent stock writes), stock lists, operators' routing preview."""
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import AppError
from healthhub.core.idempotency import IdempotencyKey, idempotent
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.pagination import Page, PageParams, page_params, paginate, paginate_rows
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.inventory import locations as places
from healthhub.inventory import service
from healthhub.inventory.errors import ErrorCode
from healthhub.inventory.models import Location, StockBatch
from healthhub.inventory.policies import can_see_every_location
from healthhub.inventory.products import require_product
from healthhub.inventory.schemas import (BatchOut, LocationOut, MoveOut, ReceiptIn, ReceiptOut, RoutePreviewIn,
                                         RoutePreviewOut, StockOutOut, TurnoverOut, WriteOffIn)
from healthhub.inventory.stock import batches_query, near_expiry_query, stock_outs_query
from healthhub.inventory.views import batch_outs, move_out, stock_out_outs

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])
STOCK_KEEPERS = (Role.MERCHANT, Role.PARTNER_PHARMACY, Role.OPERATOR, Role.ADMIN)
StockKeeper = Annotated[Principal, Depends(require_roles(*STOCK_KEEPERS))]


def _scope(db, principal: Principal) -> list[int] | None:
    """Location ids the caller may see: operators everything (None), others their own."""
    if can_see_every_location(principal):
        return None
    return [loc.id for loc in places.locations_of(db, owner_user_id=principal.id)]


@router.get("/locations", response_model=Page[LocationOut])
def list_locations(db: DbSession, principal: StockKeeper, params: Annotated[PageParams, Depends(page_params)],
                   kind: Annotated[str | None, Query(pattern="^(warehouse|merchant|pharmacy)$")] = None
                   ) -> Page[LocationOut]:
    query = select(Location).order_by(Location.id)
    if (scope := _scope(db, principal)) is not None:
        query = query.where(Location.id.in_(scope))
    if kind:
        query = query.where(Location.kind == kind)
    rows, total = paginate(db, query, params)
    return Page(items=[LocationOut.model_validate(r, from_attributes=True) for r in rows], total=total,
                page=params.page, size=params.size)


@router.post("/receipts", response_model=ReceiptOut, status_code=201, summary="Book a batch into stock")
def receive(body: ReceiptIn, db: DbSession, principal: StockKeeper, idempotency_key: IdempotencyKey):
    def run():
        location = places.managed_location(db, principal=principal, location_id=body.location_id)
        now = utcnow()
        batch, move = service.receive_stock(db, location=location, product_id=body.product_id,
                                            batch_no=body.batch_no, expiry_date=body.expiry_date,
                                            quantity=body.quantity, unit_cost_cents=body.unit_cost_cents, now=now)
        out = ReceiptOut(batch=batch_outs(db, [batch], now=now)[0], move=move_out(move))
        return 201, out.model_dump(mode="json")
    return idempotent(db, scope="inventory.receipt", owner=principal.id, key=idempotency_key,
                      body=body.model_dump(mode="json"), run=run)


@router.post("/write-offs", response_model=MoveOut, status_code=201, summary="Write off damaged or expired units")
def write_off(body: WriteOffIn, db: DbSession, principal: StockKeeper, idempotency_key: IdempotencyKey):
    def run():
        batch = db.get(StockBatch, body.batch_id)
        if batch is None:
            raise AppError("批次不存在 / batch not found", code=ErrorCode.BATCH_NOT_FOUND, status=404)
        places.managed_location(db, principal=principal, location_id=batch.location_id)
        move = service.write_off(db, batch_id=body.batch_id, quantity=body.quantity, reason=body.reason, now=utcnow())
        return 201, move_out(move).model_dump(mode="json")
    return idempotent(db, scope="inventory.write_off", owner=principal.id, key=idempotency_key,
                      body=body.model_dump(mode="json"), run=run)


@router.get("/locations/{location_id}/batches", response_model=Page[BatchOut])
def location_batches(location_id: ResourceId, db: DbSession, principal: StockKeeper,
                     params: Annotated[PageParams, Depends(page_params)]) -> Page[BatchOut]:
    places.managed_location(db, principal=principal, location_id=location_id)
    rows, total = paginate(db, batches_query(location_ids=[location_id]), params)
    return Page(items=batch_outs(db, rows, now=utcnow()), total=total, page=params.page, size=params.size)


@router.get("/near-expiry", response_model=Page[BatchOut], summary="Batches near or past expiry")
def near_expiry(db: DbSession, principal: StockKeeper,
                params: Annotated[PageParams, Depends(page_params)]) -> Page[BatchOut]:
    now = utcnow()
    rows, total = paginate(db, near_expiry_query(now=now, location_ids=_scope(db, principal)), params)
    return Page(items=batch_outs(db, rows, now=now), total=total, page=params.page, size=params.size)


@router.get("/stock-outs", response_model=Page[StockOutOut], summary="Products a location carries but cannot sell")
def stock_outs(db: DbSession, principal: StockKeeper,
               params: Annotated[PageParams, Depends(page_params)]) -> Page[StockOutOut]:
    rows, total = paginate_rows(db, stock_outs_query(now=utcnow(), location_ids=_scope(db, principal)), params)
    return Page(items=stock_out_outs(db, rows), total=total, page=params.page, size=params.size)


@router.get("/turnover", response_model=TurnoverOut, dependencies=[Depends(require_roles(Role.OPERATOR, Role.ADMIN))])
def turnover(db: DbSession, start: date, end: date, location_id: QueryId | None = None) -> TurnoverOut:
    days = service.inventory_turnover_days(db, start=start, end=end, location_id=location_id)
    return TurnoverOut(start=start, end=end, location_id=location_id,
                       turnover_days=None if days is None else str(days))


@router.post("/route-preview", response_model=RoutePreviewOut, summary="Where an order would ship from, and why",
             description="Operators only: the plan names every store that holds the stock. Buyers see the plan "
                         "through the checkout preview, which names only the channel and the shipping store.",
             dependencies=[Depends(require_roles(Role.OPERATOR, Role.ADMIN))])
def route_preview(body: RoutePreviewIn, db: DbSession) -> RoutePreviewOut:
    lines = [service.RouteLine(line.product_id, line.quantity,
                               line.cold_chain if line.cold_chain is not None
                               else require_product(db, product_id=line.product_id).cold_chain) for line in body.lines]
    plan = service.route_order(db, lines=lines, destination=service.Destination(body.lat, body.lng, body.city_adcode),
                               now=utcnow())
    return RoutePreviewOut(
        shipments=[{**asdict(s), "lines": [asdict(line) for line in s.lines]} for s in plan.shipments],
        unroutable=[{**asdict(u.line), "reason_zh": u.reason_zh, "reason_en": u.reason_en} for u in plan.unroutable],
        total_cost_cents=plan.total_cost_cents)
