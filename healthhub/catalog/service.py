"""Catalogue use cases and the stable API other domains call. Services flush; callers commit.

For other domains (stable):
- `get_product(session, product_id) -> ProductView` (NotFound when unknown)
- `get_products(session, ids) -> dict[int, ProductView]` (unknown ids are left out)
- `product_not_found(product_id) -> NotFound`: the error `get_product` raises, for callers using `get_products`
- `not_sold_online(product) -> NotFound`: what a shopper is told about a product banned from online sale
- `ensure_sellable(view)` raises RuleViolation for special-management / banned / inactive / unpriced products
- `search_products(session, SearchRequest) -> (list[Product], SearchResult)`
- `SearchRequest` (what `search_products` asks) and `RX_LABELS` (an Rx class's label), imported here
- `view_of(product) -> ProductView` for a row handed out here or by `catalog.views`
- `sellable_products_by_key(session, knowledge_keys) -> dict[str, list[Product]]`
"""
import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.catalog.errors import ErrorCode
from healthhub.catalog.events import SkuStoreChosen
from healthhub.catalog.models import CatalogState, MerchantSku, Product
from healthhub.catalog.rules import RX_LABELS, GivenFacts, classify
from healthhub.catalog.schemas import ProductCreate, ProductUpdate, SkuCreate, SkuUpdate
from healthhub.catalog.search import MAX_CATEGORIES, SearchDoc, SearchIndex, SearchRequest, SearchResult
from healthhub.core import audit, events
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, NotFound, RuleViolation
from healthhub.core.pagination import PageParams, paginate
from healthhub.core.public_ids import encode
from healthhub.knowledge.service import get_knowledge_base

RX_NOTICE = "处方药须凭处方在药师指导下购买和使用"
RX_RISK_WARNING = "处方药请遵医嘱使用，用药前须经执业药师审核处方；如有不适请立即停药并就医。"
INSERT_HIDDEN_RX = ("处方药在处方审核通过前不展示说明书、适应症与用法用量 (OD-03) / the package insert of a "
                    "prescription drug is shown only after an approved prescription")
SPECIAL_REFUSAL = "该药品属于特殊管理药品，不得网络销售 (OD-01)"


@dataclass(frozen=True)
class ProductView:
    """A product as other domains see it. `rx` is True for every drug that is not OTC (unknown = Rx)."""

    id: int
    name: str
    generic_name: str
    brand: str | None
    knowledge_key: str | None
    rx: bool
    sellable_online: bool
    not_sellable_reason: str | None
    cold_chain: bool
    insurance_category: str | None
    price_cents: int | None
    dosage_form: str | None
    strength: str | None
    package: str | None
    is_drug: bool
    category: str
    manufacturer: str
    active: bool

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.name, self.package or self.strength) if p)


def display_name(product: Product) -> str:
    return f"{product.brand_name} {product.generic_name}" if product.brand_name else product.generic_name


def not_sellable_reason(product: Product) -> str | None:
    if product.special_class:
        return product.ban_reason or SPECIAL_REFUSAL
    if product.online_sale_banned:
        return product.ban_reason or "该药品在药品网络销售禁止清单内 (OD-01a)"
    return None


def view_of(product: Product) -> ProductView:
    reason = not_sellable_reason(product)
    return ProductView(
        id=product.id, name=display_name(product), generic_name=product.generic_name, brand=product.brand_name,
        knowledge_key=product.knowledge_key, rx=product.rx_class == "rx", sellable_online=reason is None,
        not_sellable_reason=reason, cold_chain=product.cold_chain, insurance_category=product.insurance_category,
        price_cents=product.list_price_cents, dosage_form=product.dosage_form, strength=product.strength,
        package=product.package, is_drug=product.kind == "drug", category=product.category,
        manufacturer=product.manufacturer, active=product.status == "active")


def get_product(session: Session, *, product_id: int) -> ProductView:
    return view_of(_product(session, product_id))


def get_products(session: Session, *, ids: Iterable[int]) -> dict[int, ProductView]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Product).where(Product.id.in_(wanted))).scalars()
    return {p.id: view_of(p) for p in rows}


def sellable_products_by_key(session: Session, *, knowledge_keys: Iterable[str]) -> dict[str, list[Product]]:
    """knowledge key -> the active, priced products sellable online for that drug, most popular first
    (what a prescription's lines can be bought as)."""
    wanted = set(knowledge_keys)
    found: dict[str, list[Product]] = {}
    if not wanted:
        return found
    rows = session.execute(select(Product).where(
        Product.knowledge_key.in_(wanted), Product.status == "active", Product.list_price_cents.is_not(None))
        .order_by(Product.popularity.desc(), Product.id)).scalars()
    for product in rows:
        if not_sellable_reason(product) is None:
            found.setdefault(product.knowledge_key, []).append(product)
    return found


def ensure_sellable(view: ProductView) -> None:
    """The one check before anything is put in a cart, an order or a merchant's shelf."""
    if not view.sellable_online:
        if view.not_sellable_reason and "特殊管理" in view.not_sellable_reason:
            raise RuleViolation(f"{view.name}：{SPECIAL_REFUSAL}", code=ErrorCode.SPECIAL_MANAGEMENT_DRUG)
        raise RuleViolation(f"{view.name}：{view.not_sellable_reason or '该药品禁止网络销售'} / banned from online sale",
                            code=ErrorCode.ONLINE_SALE_BANNED)
    if not view.active:
        raise RuleViolation(f"{view.name} 已下架 / product is no longer sold", code=ErrorCode.PRODUCT_INACTIVE)
    if view.price_cents is None:
        raise RuleViolation(f"{view.name} 暂无售价 / product has no price yet", code=ErrorCode.PRODUCT_UNPRICED)


def product_not_found(product_id: int) -> NotFound:
    return NotFound(f"商品 {encode(product_id)} 不存在 / product not found", code=ErrorCode.PRODUCT_NOT_FOUND)


def not_sold_online(product: Product) -> NotFound:
    """What a shopper is told about a product that exists but may never be sold online (OD-01, OD-01a)."""
    reason = not_sellable_reason(product)
    return NotFound(f"{display_name(product)}：该药品不可网络销售（{reason}）/ this medicine may not be sold online",
                    code=ErrorCode.ONLINE_SALE_BANNED, title="该药品不可网络销售")


def _product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise product_not_found(product_id)
    return product


# ---- search index: one per database and catalogue version, rebuilt after any change ---------------------------
# Up to this many products a change is indexed before the next search returns (under a second). Above it a
# rebuild takes seconds (about 20 s at 1M products), so searches keep using the previous index while a
# background thread builds the new one: a just-edited product shows up a little later, search never stalls.
SYNC_REBUILD_MAX_DOCS = 100_000
_index_lock = threading.Lock()
_indexes: dict[str, tuple[str, SearchIndex]] = {}
_rebuilding: set[str] = set()
log = logging.getLogger("healthhub.catalog.search")


def catalog_changed(session: Session) -> None:
    """Every catalogue write calls this; a random version (not a counter) survives rolled-back transactions."""
    state = session.get(CatalogState, 1)
    if state is None:
        session.add(CatalogState(id=1, version=uuid.uuid4().hex, changed_at=utcnow()))
    else:
        state.version, state.changed_at = uuid.uuid4().hex, utcnow()
    session.flush()


def _documents(session: Session) -> Iterable[SearchDoc]:
    columns = (Product.id, Product.generic_name, Product.brand_name, Product.ingredient_name, Product.english_name,
               Product.rx_class, Product.categories, Product.insurance_category, Product.special_class,
               Product.online_sale_banned, Product.status, Product.popularity)
    for row in session.execute(select(*columns).execution_options(yield_per=20_000)):
        yield SearchDoc(product_id=row.id, generic_name=row.generic_name, brand_name=row.brand_name,
                        ingredient_name=row.ingredient_name, english_name=row.english_name, rx_class=row.rx_class,
                        categories=tuple(row.categories or ()), insurance_category=row.insurance_category,
                        sellable=row.status == "active" and not row.special_class and not row.online_sale_banned,
                        popularity=row.popularity)


def _catalog_version(session: Session) -> str:
    return session.execute(select(CatalogState.version).where(CatalogState.id == 1)).scalar_one_or_none() or "-"


def _rebuild_in_background(engine, database: str) -> None:
    """Builds from committed data in a session of its own and swaps the new index in when done."""
    def rebuild() -> None:
        try:
            with Session(engine) as own:
                version = _catalog_version(own)
                index = SearchIndex.build(_documents(own))
            with _index_lock:
                _indexes[database] = (version, index)
        except Exception:  # noqa: BLE001  (searches keep the previous index; the next change retries)
            log.exception("background rebuild of the search index failed")
        finally:
            with _index_lock:
                _rebuilding.discard(database)

    with _index_lock:
        if database in _rebuilding:
            return
        _rebuilding.add(database)
    threading.Thread(target=rebuild, name="catalog-index-rebuild", daemon=True).start()


def search_index(session: Session) -> SearchIndex:
    version = _catalog_version(session)
    engine = session.get_bind().engine
    database = str(engine.url)
    cached = _indexes.get(database)
    if cached and cached[0] == version:
        return cached[1]
    if cached and cached[1].size > SYNC_REBUILD_MAX_DOCS:
        _rebuild_in_background(engine, database)
        return cached[1]
    with _index_lock:
        cached = _indexes.get(database)
        if cached and cached[0] == version:
            return cached[1]
        index = SearchIndex.build(_documents(session))
        _indexes[database] = (version, index)
        return index


def search_products(session: Session, *, request: SearchRequest) -> tuple[list[Product], SearchResult]:
    result = search_index(session).search(request)
    ids = result.product_ids
    by_id = {p.id: p for p in session.execute(select(Product).where(Product.id.in_(ids))).scalars()} if ids else {}
    return [by_id[i] for i in ids if i in by_id], result


def categories(session: Session) -> tuple[str, ...]:
    return search_index(session).categories


# ---- operator writes ------------------------------------------------------------------------------------------
def _check_category(session: Session, category: str) -> None:
    known = categories(session)
    if category not in known and len(known) >= MAX_CATEGORIES:
        raise RuleViolation(f"分类过多，请使用已有分类之一 / too many categories, use an existing one: {category}",
                            code=ErrorCode.UNKNOWN_CATEGORY)


def create_product(session: Session, *, data: ProductCreate) -> Product:
    _check_category(session, data.category)
    if data.kind == "health" and data.approval_number:
        raise RuleViolation("非药品不应填写国药准字批准文号 / only drugs have an approval number", code=ErrorCode.INVALID_PRODUCT)
    if data.kind == "health" and data.rx_class not in (None, "none"):
        raise RuleViolation("非药品的处方分类应为 none / health goods have rx_class none", code=ErrorCode.INVALID_PRODUCT)
    kb = get_knowledge_base()
    facts, form = kb.resolve_product_name(data.generic_name) if data.kind == "drug" else (None, None)
    c = classify(data.generic_name, facts, form, GivenFacts(
        kind=data.kind, rx_class=data.rx_class, insurance_category=data.insurance_category, cold_chain=data.cold_chain,
        english_name=data.english_name, atc_code=data.atc_code, dosage_form=data.dosage_form))
    product = Product(
        kind=data.kind, generic_name=data.generic_name, brand_name=data.brand_name, english_name=c.english_name,
        atc_code=c.atc_code, dosage_form=c.dosage_form, strength=data.strength, package=data.package,
        approval_number=data.approval_number, manufacturer=data.manufacturer, rx_class=c.rx_class,
        special_class=c.special_class, online_sale_banned=c.online_sale_banned, ban_reason=c.ban_reason,
        cold_chain=c.cold_chain, insurance_category=c.insurance_category, category=data.category,
        categories=[data.category], list_price_cents=data.list_price_cents, description=data.description,
        insert_text=data.insert_text, knowledge_key=c.knowledge_key, ingredient_name=c.ingredient_name,
        popularity=0, status="active", source="operator")
    session.add(product)
    session.flush()
    audit.record(session, action="catalog.product.create", entity_type="product", entity_id=product.id,
                 detail={"name": display_name(product), "rx_class": product.rx_class,
                         "price_cents": product.list_price_cents, "sellable": not_sellable_reason(product) is None})
    catalog_changed(session)
    return product


def update_product(session: Session, *, product_id: int, data: ProductUpdate) -> Product:
    product = _product(session, product_id)
    changes = data.model_dump(exclude_unset=True)
    if "approval_number" in changes and changes["approval_number"] and product.kind != "drug":
        raise RuleViolation("非药品不应填写国药准字批准文号 / only drugs have an approval number", code=ErrorCode.INVALID_PRODUCT)
    if changes.get("category"):
        _check_category(session, changes["category"])
        changes["categories"] = [changes["category"], *(c for c in product.categories if c != changes["category"])]
    before = {k: getattr(product, k) for k in changes}
    for name, value in changes.items():
        setattr(product, name, value)
    session.flush()
    audit.record(session, action="catalog.product.update", entity_type="product", entity_id=product.id,
                 detail={"before": before, "after": changes})
    catalog_changed(session)
    return product


# ---- merchant SKUs --------------------------------------------------------------------------------------------
def ensure_own_store(session: Session, *, merchant_id: int, location_id: int | None) -> None:
    """A SKU may only be bound to one of the merchant's own stores; inventory, which owns the stores,
    refuses any other (`SkuStoreChosen`)."""
    if location_id is not None:
        events.publish(session, SkuStoreChosen(merchant_id=merchant_id, location_id=location_id))


def create_sku(session: Session, *, merchant_id: int, data: SkuCreate) -> MerchantSku:
    view = get_product(session, product_id=data.product_id)
    ensure_sellable(view)
    ensure_own_store(session, merchant_id=merchant_id, location_id=data.store_location_id)
    duplicate = session.execute(select(MerchantSku.id).where(
        MerchantSku.merchant_id == merchant_id, MerchantSku.sku_code == data.sku_code)).first()
    if duplicate:
        raise Conflict(f"商家编码 {data.sku_code} 已存在 / SKU code already used", code=ErrorCode.SKU_CODE_TAKEN)
    sku = MerchantSku(product_id=data.product_id, merchant_id=merchant_id, store_location_id=data.store_location_id,
                      sku_code=data.sku_code, price_cents=data.price_cents, status="active")
    session.add(sku)
    session.flush()
    audit.record(session, action="catalog.sku.create", entity_type="merchant_sku", entity_id=sku.id,
                 detail={"product_id": sku.product_id, "sku_code": sku.sku_code, "price_cents": sku.price_cents})
    return sku


def get_sku(session: Session, *, merchant_id: int, sku_id: int) -> MerchantSku:
    sku = session.get(MerchantSku, sku_id)
    if sku is None or sku.merchant_id != merchant_id:  # another merchant's SKU is as good as absent
        raise NotFound("商品SKU不存在 / SKU not found", code=ErrorCode.SKU_NOT_FOUND)
    return sku


def update_sku(session: Session, *, merchant_id: int, sku_id: int, data: SkuUpdate) -> MerchantSku:
    sku = get_sku(session, merchant_id=merchant_id, sku_id=sku_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("status") == "active":
        ensure_sellable(get_product(session, product_id=sku.product_id))
    ensure_own_store(session, merchant_id=merchant_id, location_id=changes.get("store_location_id"))
    before = {k: getattr(sku, k) for k in changes}
    for name, value in changes.items():
        setattr(sku, name, value)
    session.flush()
    audit.record(session, action="catalog.sku.update", entity_type="merchant_sku", entity_id=sku.id,
                 detail={"before": before, "after": changes})
    return sku


def list_skus(session: Session, *, merchant_id: int, params: PageParams) -> tuple[list[MerchantSku], int]:
    query = select(MerchantSku).where(MerchantSku.merchant_id == merchant_id).order_by(MerchantSku.id.desc())
    return paginate(session, query, params)


def rx_label(product: Product) -> str:
    return RX_LABELS.get(product.rx_class, product.rx_class)
