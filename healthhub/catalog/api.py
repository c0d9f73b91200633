"""Catalogue API: storefront search and product detail (OD-03: an Rx drug's insert and buy option only
with the caller's approved prescription), operator product writes and imports, merchants' SKUs.
Price-bearing writes take an Idempotency-Key and are audited."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from healthhub.catalog import service
from healthhub.catalog.importer import import_catalog
from healthhub.catalog.models import ImportRun, MerchantSku, Product
from healthhub.catalog.rx_access import RxAccess, access_for
from healthhub.catalog.schemas import (ImportReportOut, ProductCreate, ProductDetail, ProductSummary, ProductUpdate,
                                       SearchPage, SkuCreate, SkuOut, SkuUpdate)
from healthhub.catalog.search import SearchRequest
from healthhub.core.config import get_settings
from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import Forbidden, NotFound
from healthhub.core.idempotency import IdempotencyKey, idempotent
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.public_ids import encode
from healthhub.core.pagination import MAX_PAGE_SIZE, Page, PageParams, page_params
from healthhub.identity.deps import OptionalUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
CATALOG_STAFF = (Role.OPERATOR, Role.ADMIN)
Staff = Annotated[Principal, Depends(require_roles(*CATALOG_STAFF))]
Merchant = Annotated[Principal, Depends(require_roles(Role.MERCHANT))]


def is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.role in CATALOG_STAFF


def summary(product: Product) -> ProductSummary:
    return ProductSummary(
        id=product.id, name=service.display_name(product), generic_name=product.generic_name,
        brand_name=product.brand_name, manufacturer=product.manufacturer, package=product.package,
        rx_class=product.rx_class, rx=product.rx_class == "rx", insurance_category=product.insurance_category,
        category=product.category, price_cents=product.list_price_cents,
        sellable_online=service.not_sellable_reason(product) is None,
        not_sellable_reason=service.not_sellable_reason(product))


def detail(product: Product, access: RxAccess | None = None) -> ProductDetail:
    """`access`: the caller's approved prescription for this drug (rx_access.access_for), if any."""
    rx = product.rx_class == "rx"
    hidden = rx and access is None  # OD-03: no indications or dosage text before an approved prescription
    # dict(), not model_dump(): the detail takes the row keys; a dump would already hold their public ids.
    return ProductDetail(
        **dict(summary(product)), kind=product.kind, english_name=product.english_name,
        atc_code=product.atc_code, dosage_form=product.dosage_form, strength=product.strength,
        approval_number=product.approval_number, special_class=product.special_class, cold_chain=product.cold_chain,
        knowledge_key=product.knowledge_key, status=product.status,
        description=None if hidden else product.description, insert_text=None if hidden else product.insert_text,
        insert_hidden_reason=service.INSERT_HIDDEN_RX if hidden else None, rx_notice=service.RX_NOTICE if rx else None,
        rx_prescription_id=access.prescription_id if rx and access else None,
        rx_prescription_number=access.number if rx and access else None,
        rx_max_quantity=access.quantity if rx and access else None)


def rx_access_for(db, product: Product, principal: Principal | None, prescription_id: int | None) -> RxAccess | None:
    """Only an Rx product that may be sold online is ever unlocked by a prescription."""
    if product.rx_class != "rx" or service.not_sellable_reason(product) is not None or product.status != "active":
        return None
    return access_for(db, principal, knowledge_key=product.knowledge_key, prescription_id=prescription_id,
                      now=utcnow())


def visible_product(db, product_id: int, principal: Principal | None) -> Product:
    """Storefront callers never see products that may not be sold online; staff see everything."""
    product = db.get(Product, product_id)
    hidden = product is not None and not is_staff(principal) and (
        service.not_sellable_reason(product) is not None or product.status != "active")
    if product is None or hidden:
        raise NotFound(f"商品 {encode(product_id)} 不存在 / product not found", code="product-not-found")
    return product


@router.get("/search", response_model=SearchPage, summary="Search products (Chinese, pinyin, initials, typos)")
def search(db: DbSession, principal: OptionalUser,
           q: Annotated[str, Query(max_length=64, description="布洛芬 / buluofen / blf")] = "",
           rx: Annotated[bool | None, Query(description="true: 处方药; false: 非处方药及非药品")] = None,
           category: Annotated[str | None, Query(max_length=32)] = None,
           insurance: Annotated[bool, Query(description="只看医保甲/乙类")] = False,
           include_unsellable: Annotated[bool, Query(description="运营人员：包含不可网售商品")] = False,
           page: Annotated[int, Query(ge=1, le=10_000)] = 1,
           size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20) -> SearchPage:
    if include_unsellable and not is_staff(principal):
        raise Forbidden("仅运营人员可查看不可网售商品 / only operators may list products not sellable online",
                        code="forbidden-role")
    products, result = service.search_products(db, SearchRequest(
        text=q, rx=rx, category=category or None, insurance_only=insurance, include_unsellable=include_unsellable,
        page=page, size=size))
    return SearchPage(items=[summary(p) for p in products], total=result.total, page=page, size=size,
                      fuzzy=result.fuzzy)


@router.get("/products/{product_id}", response_model=ProductDetail,
            summary="Product detail; an Rx drug's insert and buy option need the caller's approved prescription")
def get_product(product_id: ResourceId, db: DbSession, principal: OptionalUser,
                prescription: QueryId | None = None
                ) -> ProductDetail:
    product = visible_product(db, product_id, principal)
    return detail(product, rx_access_for(db, product, principal, prescription))


@router.post("/products", response_model=ProductDetail, status_code=201, summary="Create a product (operators)")
def create_product(data: ProductCreate, db: DbSession, principal: Staff, key: IdempotencyKey):
    return idempotent(db, scope="catalog.product.create", owner=principal.id, key=key, body=data.model_dump(),
                      status_code=201, run=lambda: detail(service.create_product(db, data)))


@router.patch("/products/{product_id}", response_model=ProductDetail, summary="Update a product (operators)")
def update_product(product_id: ResourceId, data: ProductUpdate, db: DbSession, principal: Staff,
                   key: IdempotencyKey):
    return idempotent(db, scope=f"catalog.product.update:{product_id}", owner=principal.id, key=key,
                      body=data.model_dump(exclude_unset=True),
                      run=lambda: detail(service.update_product(db, product_id, data)))


@router.post("/imports", response_model=ImportReportOut, summary="Re-import the catalogue (operators)")
def run_import(db: DbSession, _principal: Staff) -> ImportReportOut:
    report = import_catalog(db, get_settings().data_dir)
    return ImportReportOut(counts=report.counts(), problems=[p.__dict__ for p in report.problems])


@router.get("/imports/latest", response_model=ImportReportOut | None)
def latest_import(db: DbSession, _principal: Staff) -> ImportReportOut | None:
    run = db.query(ImportRun).order_by(ImportRun.id.desc()).first()
    return ImportReportOut(counts=run.counts, problems=run.problems) if run else None


def sku_out(db, sku: MerchantSku) -> SkuOut:
    return SkuOut(id=sku.id, product_id=sku.product_id, product_name=service.get_product(db, sku.product_id).name,
                  merchant_id=sku.merchant_id, store_location_id=sku.store_location_id, sku_code=sku.sku_code,
                  price_cents=sku.price_cents, status=sku.status)


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
