"""Stock pages: merchants and partner pharmacies manage their own locations; operators watch
near-expiry batches, stock-outs and inventory turnover."""
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import AppError
from healthhub.core.inputs import QueryId
from healthhub.core.navigation import add_menu
from healthhub.core.pagination import MAX_PAGE, Page, PageParams, page_params, paginate, paginate_rows
from healthhub.core.templating import render
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.inventory import locations as places
from healthhub.inventory import service
from healthhub.inventory.config import inventory_settings
from healthhub.inventory.errors import ErrorCode
from healthhub.inventory.ledger import local_today
from healthhub.inventory.stock import batches_query, near_expiry_query, stock_outs_query
from healthhub.inventory.views import batch_outs, stock_out_outs

router = APIRouter(include_in_schema=False)
add_menu("我的库存", "/inventory/stock", {Role.MERCHANT, Role.PARTNER_PHARMACY}, order=40)
add_menu("库存运营", "/inventory/operations", {Role.OPERATOR, Role.ADMIN}, order=45)
KEEPER = Annotated[Principal, Depends(require_roles(Role.MERCHANT, Role.PARTNER_PHARMACY))]
OPERATOR = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))]


@router.get("/inventory/stock")
def my_stock(request: Request, db: DbSession, principal: KEEPER, params: Annotated[PageParams, Depends(page_params)],
             location_id: QueryId | None = None):
    mine = places.locations_of(db, owner_user_id=principal.id)
    current = next((loc for loc in mine if loc.id == location_id), mine[0] if mine else None)
    if location_id is not None and (current is None or current.id != location_id):
        places.managed_location(db, principal=principal, location_id=location_id)  # 403 / 404 with a reason
    page = None
    if current is not None:
        rows, total = paginate(db, batches_query(location_ids=[current.id]), params)
        page = Page(items=batch_outs(db, rows, now=utcnow()), total=total, page=params.page, size=params.size)
    return render(request, "inventory/stock.html", {
        "locations": mine, "current": current, "page": page,
        "near_days": inventory_settings().near_expiry_days,
        "min_shelf_life_days": inventory_settings().min_shelf_life_days,
        "default_expiry": (local_today(utcnow()) + timedelta(days=365)).isoformat()})


@router.get("/inventory/operations")
def operations(request: Request, db: DbSession, _principal: OPERATOR,
               params: Annotated[PageParams, Depends(page_params)],
               outs_page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="缺货列表的页码")] = 1,
               start: Annotated[date | None, Query()] = None, end: Annotated[date | None, Query()] = None,
               location_id: QueryId | None = None):
    """One location filter for the whole page: turnover, near-expiry batches and stock-outs alike."""
    now = utcnow()
    today = local_today(now)
    end = end or today
    start = start or end - timedelta(days=29)
    if end < start:
        raise AppError("结束日期不能早于开始日期 / end date is before start date", code=ErrorCode.INVALID_PERIOD)
    location_ids = None if location_id is None else [location_id]
    rows, total = paginate(db, near_expiry_query(now=now, location_ids=location_ids), params)
    near = Page(items=batch_outs(db, rows, now=now), total=total, page=params.page, size=params.size)
    outs_params = PageParams(page=outs_page, size=params.size)
    rows, total = paginate_rows(db, stock_outs_query(now=now, location_ids=location_ids), outs_params)
    outs = Page(items=stock_out_outs(db, rows), total=total, page=outs_page, size=params.size)
    locations = db.execute(select(places.Location.id, places.Location.name).where(
        places.Location.kind.in_(("warehouse", "merchant"))).order_by(places.Location.id)).all()
    return render(request, "inventory/operations.html", {
        "near": near, "outs": outs, "start": start, "end": end,
        "location_id": location_id, "locations": locations,
        "turnover": service.inventory_turnover_days(db, start=start, end=end, location_id=location_id)})
