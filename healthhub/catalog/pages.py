"""The operators' catalogue and merchants' SKU pages (the storefront's /shop pages are the storefront's)."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from healthhub.catalog import service
from healthhub.catalog.models import ImportRun, Product
from healthhub.catalog.rules import RX_LABELS
from healthhub.catalog.search import SearchRequest
from healthhub.catalog.views import sku_out, summary
from healthhub.core.db import DbSession
from healthhub.core.navigation import add_menu
from healthhub.core.pagination import PageParams
from healthhub.core.templating import render
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

router = APIRouter(include_in_schema=False)
add_menu("商品目录", "/ops/catalog", {Role.OPERATOR, Role.ADMIN}, order=30)
add_menu("我的商品", "/merchant/skus", {Role.MERCHANT}, order=20)
PAGE_SIZE = 20


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
        products, result = service.search_products(db, request=SearchRequest(text=q, include_unsellable=True, page=page,
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
    params = PageParams(page=page, size=PAGE_SIZE)
    rows, total = service.list_skus(db, merchant_id=principal.id, params=params)
    return render(request, "catalog/merchant.html", {
        "skus": [sku_out(db, s) for s in rows], "total": total, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE))})
