"""Storefront pages: search with the "附近有货" filter, buying a prescription's drugs (/shop?prescription=ID) and
a product's page, whose Rx insert and buy button the shopper's approved prescription unlocks (OD-03)."""
from typing import Annotated

from fastapi import APIRouter, Query, Request

from healthhub.catalog import service as catalog
from healthhub.catalog.views import summary
from healthhub.core.db import DbSession, utcnow
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.navigation import add_menu
from healthhub.core.templating import render
from healthhub.identity.deps import OptionalUser
from healthhub.identity.roles import Role
from healthhub.storefront import service
from healthhub.storefront.rx_access import prescription_offer

router = APIRouter(include_in_schema=False)
add_menu("购药", "/shop", {Role.PATIENT}, order=20)
PAGE_SIZE = 20
DEFAULT_LOCATION = (39.9087, 116.3975)  # 北京天安门: used when the browser shares no location


def _location(lat: str, lng: str) -> tuple[float, float]:
    """The browser's position when it shared a valid one (hidden form fields may be blank), else the default."""
    try:
        position = float(lat), float(lng)
    except ValueError:
        return DEFAULT_LOCATION
    return position if -90 <= position[0] <= 90 and -180 <= position[1] <= 180 else DEFAULT_LOCATION


@router.get("/shop")
def shop(request: Request, db: DbSession, principal: OptionalUser,
         q: Annotated[str, Query(max_length=64)] = "", rx: str = "", category: str = "", insurance: bool = False,
         near: bool = False, lat: str = "", lng: str = "",
         page: Annotated[int, Query(ge=1, le=10_000)] = 1,
         prescription: QueryId | None = None):
    now = utcnow()
    stock_ids = None
    if near:
        latitude, longitude = _location(lat, lng)
        stock_ids = service.in_stock_near(db, lat=latitude, lng=longitude, now=now)
    products, result = catalog.search_products(db, request=catalog.SearchRequest(
        text=q, rx={"rx": True, "otc": False}.get(rx), category=category or None, insurance_only=insurance,
        in_stock_ids=stock_ids, page=page, size=PAGE_SIZE))
    items = [summary(p) for p in products]
    return render(request, "storefront/shop.html", {
        "q": q, "rx": rx, "category": category, "insurance": insurance, "near": near, "lat": lat, "lng": lng,
        "categories": catalog.categories(db),
        "otc_items": [i for i in items if not i.rx], "rx_items": [i for i in items if i.rx], "result": result,
        "rx_labels": catalog.RX_LABELS, "searched": bool(q.strip()) or bool(category) or insurance or bool(rx) or near,
        "offer": prescription and prescription_offer(db, principal, prescription_id=prescription, now=now),
        "risk_warning": catalog.RX_RISK_WARNING})


@router.get("/shop/products/{product_id}")
def product_page(request: Request, product_id: ResourceId, db: DbSession, principal: OptionalUser,
                 prescription: QueryId | None = None):
    return render(request, "storefront/product.html", {
        "p": service.product_detail(db, product_id=product_id, principal=principal, prescription_id=prescription,
                                    now=utcnow()),
        "rx_labels": catalog.RX_LABELS, "risk_warning": catalog.RX_RISK_WARNING})
