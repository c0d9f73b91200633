"""Catalogue API: search, operator product writes and imports, merchants' SKUs. A product's detail, which an
approved prescription unlocks (OD-03), is the storefront's. Price-bearing writes take an Idempotency-Key and are
audited."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from healthhub.catalog import service
from healthhub.catalog.errors import ErrorCode
from healthhub.catalog.importer import import_catalog
from healthhub.catalog.models import ImportRun
from healthhub.catalog.policies import CATALOG_STAFF, can_see_unsellable_products
from healthhub.catalog.schemas import (ImportReportOut, ProductCreate, ProductDetail, ProductUpdate, SearchPage,
                                       SkuCreate, SkuOut, SkuUpdate)
from healthhub.catalog.search import SearchRequest
from healthhub.catalog.views import detail, sku_out, summary
from healthhub.core.config import get_settings
from healthhub.core.db import DbSession
from healthhub.core.errors import Forbidden
from healthhub.core.idempotency import IdempotencyKey, idempotent
from healthhub.core.inputs import ResourceId
from healthhub.core.pagination import MAX_PAGE_SIZE, Page, PageParams, page_params
from healthhub.identity.deps import OptionalUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
Staff = Annotated[Principal, Depends(require_roles(*CATALOG_STAFF))]
Merchant = Annotated[Principal, Depends(require_roles(Role.MERCHANT))]


@router.get("/search", response_model=SearchPage, summary="Search products (Chinese, pinyin, initials, typos)")
def search(db: DbSession, principal: OptionalUser,
           q: Annotated[str, Query(max_length=64, description="布洛芬 / buluofen / blf")] = "",
           rx: Annotated[bool | None, Query(description="true: 处方药; false: 非处方药及非药品")] = None,
           category: Annotated[str | None, Query(max_length=32)] = None,
           insurance: Annotated[bool, Query(description="只看医保甲/乙类")] = False,
           include_unsellable: Annotated[bool, Query(description="运营人员：包含不可网售商品")] = False,
           page: Annotated[int, Query(ge=1, le=10_000)] = 1,
           size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20) -> SearchPage:
    if include_unsellable and not can_see_unsellable_products(principal):
        raise Forbidden("仅运营人员可查看不可网售商品 / only operators may list products not sellable online",
                        code=ErrorCode.FORBIDDEN_ROLE)
    products, result = service.search_products(db, request=SearchRequest(
        text=q, rx=rx, category=category or None, insurance_only=insurance, include_unsellable=include_unsellable,
        page=page, size=size))
    return SearchPage(items=[summary(p) for p in products], total=result.total, page=page, size=size,
                      fuzzy=result.fuzzy)


@router.post("/products", response_model=ProductDetail, status_code=201, summary="Create a product (operators)")
def create_product(data: ProductCreate, db: DbSession, principal: Staff, key: IdempotencyKey):
    return idempotent(db, scope="catalog.product.create", owner=principal.id, key=key, body=data.model_dump(),
                      status_code=201, run=lambda: detail(service.create_product(db, data=data)))


@router.patch("/products/{product_id}", response_model=ProductDetail, summary="Update a product (operators)")
def update_product(product_id: ResourceId, data: ProductUpdate, db: DbSession, principal: Staff,
                   key: IdempotencyKey):
    return idempotent(db, scope=f"catalog.product.update:{product_id}", owner=principal.id, key=key,
                      body=data.model_dump(exclude_unset=True),
                      run=lambda: detail(service.update_product(db, product_id=product_id, data=data)))


@router.post("/imports", response_model=ImportReportOut, summary="Re-import the catalogue (operators)")
def run_import(db: DbSession, _principal: Staff) -> ImportReportOut:
    report = import_catalog(db, get_settings().data_dir)
    return ImportReportOut(counts=report.counts(), problems=[p.__dict__ for p in report.problems])


@router.get("/imports/latest", response_model=ImportReportOut | None)
def latest_import(db: DbSession, _principal: Staff) -> ImportReportOut | None:
    run = db.query(ImportRun).order_by(ImportRun.id.desc()).first()
    return ImportReportOut(counts=run.counts, problems=run.problems) if run else None


@router.get("/merchant/skus", response_model=Page[SkuOut])
def list_skus(db: DbSession, principal: Merchant, params: Annotated[PageParams, Depends(page_params)]):
    rows, total = service.list_skus(db, merchant_id=principal.id, params=params)
    return Page[SkuOut](items=[sku_out(db, s) for s in rows], total=total, page=params.page, size=params.size)


@router.post("/merchant/skus", response_model=SkuOut, status_code=201)
def create_sku(data: SkuCreate, db: DbSession, principal: Merchant, key: IdempotencyKey):
    return idempotent(db, scope="catalog.sku.create", owner=principal.id, key=key, body=data.model_dump(),
                      status_code=201,
                      run=lambda: sku_out(db, service.create_sku(db, merchant_id=principal.id, data=data)))


@router.patch("/merchant/skus/{sku_id}", response_model=SkuOut)
def update_sku(sku_id: ResourceId, data: SkuUpdate, db: DbSession, principal: Merchant, key: IdempotencyKey):
    return idempotent(db, scope=f"catalog.sku.update:{sku_id}", owner=principal.id, key=key,
                      body=data.model_dump(exclude_unset=True),
                      run=lambda: sku_out(db, service.update_sku(db, merchant_id=principal.id, sku_id=sku_id,
                                                                 data=data)))
