"""Storefront search and product pages (OD-03; buying with an approved prescription), the operators'
catalogue and merchants' SKU pages."""
import importlib
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from healthhub.catalog import service
from healthhub.catalog.api import detail, is_staff, rx_access_for, summary, visible_product
from healthhub.catalog.models import ImportRun, Product
from healthhub.catalog.rules import RX_LABELS
from healthhub.catalog.rx_access import prescription_offer
from healthhub.catalog.search import SearchRequest
from healthhub.core.db import DbSession, utcnow
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.navigation import add_menu
from healthhub.core.pagination import PageParams
from healthhub.core.templating import render
from healthhub.identity.deps import OptionalUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

router = APIRouter(include_in_schema=False)
add_menu("购药", "/shop", {Role.PATIENT}, order=20)
add_menu("商品目录", "/ops/catalog", {Role.OPERATOR, Role.ADMIN}, order=30)
add_menu("我的商品", "/merchant/skus", {Role.MERCHANT}, order=20)
PAGE_SIZE = 20
NEAR_RADIUS_KM = 5.0
DEFAULT_LOCATION = (39.9087, 116.3975)  # 北京天安门: used when the browser shares no location


def in_stock_near(db, lat: float, lng: float) -> frozenset[int] | None:
    """Product ids in stock nearby, when the inventory domain offers that question; None = filter unavailable."""
    try:
        inventory = importlib.import_module("healthhub.inventory.service")
    except ModuleNotFoundError:
        return None
    ask = getattr(inventory, "product_ids_in_stock_near", None)
    return frozenset(ask(db, lat=lat, lng=lng, radius_km=NEAR_RADIUS_KM, now=utcnow())) if ask else None


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
    stock_ids, stock_filter_available = None, True
    if near:
        stock_ids = in_stock_near(db, *_location(lat, lng))
        stock_filter_available = stock_ids is not None
    products, result = service.search_products(db, SearchRequest(
        text=q, rx={"rx": True, "otc": False}.get(rx), category=category or None, insurance_only=insurance,
        in_stock_ids=stock_ids, page=page, size=PAGE_SIZE))
    items = [summary(p) for p in products]
    return render(request, "catalog/shop.html", {
        "q": q, "rx": rx, "category": category, "insurance": insurance, "near": near, "lat": lat, "lng": lng,
        "stock_filter_available": stock_filter_available, "categories": service.categories(db),
        "otc_items": [i for i in items if not i.rx], "rx_items": [i for i in items if i.rx], "result": result,
        "rx_labels": RX_LABELS, "searched": bool(q.strip()) or bool(category) or insurance or bool(rx) or near,
        "offer": prescription and prescription_offer(db, principal, prescription_id=prescription, now=utcnow()),
        "risk_warning": service.RX_RISK_WARNING})


@router.get("/shop/products/{product_id}")
def product_page(request: Request, product_id: ResourceId, db: DbSession, principal: OptionalUser,
                 prescription: QueryId | None = None):
    product = visible_product(db, product_id, principal)
    return render(request, "catalog/product.html", {
        "p": detail(product, rx_access_for(db, product, principal, prescription)), "rx_labels": RX_LABELS,
        "risk_warning": service.RX_RISK_WARNING, "staff": is_staff(principal)})


@router.get("/ops/catalog")
def operator_catalog(request: Request, db: DbSession,
                     principal: Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))],
                     q: Annotated[str, Query(max_length=64)] = "", only_unsellable: bool = False,
                     page: Annotated[int, Query(ge=1, le=10_000)] = 1):
    if only_unsellable:
        query = db.query(Product).filter((Product.special_class.isnot(None)) | Product.online_sale_banned)
        if q.strip():
            query = query.filter(Product.generic_name.contains(q.strip()))
        total = query.count()
        products = query.order_by(Product.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE).all()
        pages = max(1, -(-total // PAGE_SIZE))
    else:
        products, result = service.search_products(db, SearchRequest(text=q, include_unsellable=True, page=page,
                                                                     size=PAGE_SIZE))
        total, pages = result.total, result.pages
    last_import = db.query(ImportRun).order_by(ImportRun.id.desc()).first()
    return render(request, "catalog/admin.html", {
        "items": [summary(p) for p in products], "total": total, "page": page, "pages": pages, "q": q,
        "only_unsellable": only_unsellable, "last_import": last_import, "rx_labels": RX_LABELS})


@router.get("/merchant/skus")
def merchant_skus(request: Request, db: DbSession,
                  principal: Annotated[Principal, Depends(require_roles(Role.MERCHANT))],
                  page: Annotated[int, Query(ge=1, le=10_000)] = 1):
    from healthhub.catalog.api import sku_out  # noqa: PLC0415

    params = PageParams(page=page, size=PAGE_SIZE)
    rows, total = service.list_skus(db, merchant_id=principal.id, params=params)
    return render(request, "catalog/merchant.html", {
        "skus": [sku_out(db, s) for s in rows], "total": total, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE))})
