"""Catalogue demo data. small: the curated table + the shared product data (~1,300 products), every
product priced, a few SKUs for the demo merchant. large: synthetic variants up to 1,000,000 products
(real titles × manufacturers × strengths × packages), bulk-inserted in batches of 10,000."""
import random

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from healthhub.catalog import service
from healthhub.catalog.importer import import_catalog
from healthhub.catalog.models import MerchantSku, Product
from healthhub.catalog.schemas import SkuCreate
from healthhub.catalog.synthetic import variants
from healthhub.core.errors import RuleViolation
from healthhub.core.public_ids import encode
from healthhub.seed.context import SeedContext

ORDER = 10
LARGE_PRODUCTS = 1_000_000
BATCH = 10_000
DEMO_SKUS = (("C001", "FBD-0001", 2580), ("C004", "TNL-0001", 1490), ("C013", "KRT-0001", 2290),
             ("C015", "SMD-0001", 1990), ("C038", "AMX-0001", 1380), ("H002", "MASK-0001", 1190))
_COPIED = ("kind", "generic_name", "brand_name", "english_name", "atc_code", "dosage_form", "rx_class", "special_class",
           "online_sale_banned", "ban_reason", "cold_chain", "insurance_category", "category", "categories",
           "knowledge_key", "ingredient_name", "description")
# Package inserts are not copied onto the benchmark variants: a million copies of the same text would
# triple the database size and the seeding time, and benchmarks never render a product page.


def _price_unpriced(session: Session, ctx: SeedContext) -> None:
    """The shared data has no prices; a plausible, deterministic one per product keeps the shop usable."""
    for product_id, key in session.execute(select(Product.id, Product.source_key)
                                           .where(Product.list_price_cents.is_(None)).order_by(Product.id)):
        rng = random.Random(f"{ctx.seed}:price:{key}")
        cents = int(rng.lognormvariate(8.0, 0.8)) // 10 * 10 + 90  # median ≈ ¥30, long tail
        session.execute(update(Product).where(Product.id == product_id).values(list_price_cents=min(cents, 300_000)))


def _demo_skus(session: Session, ctx: SeedContext) -> None:
    merchant_id = ctx.shared.get("users", {}).get("merchant")
    if merchant_id is None:
        return
    for code, sku_code, price in DEMO_SKUS:
        product_id = session.execute(select(Product.id).where(Product.source_key == f"curated:{code}")).scalar()
        taken = session.execute(select(MerchantSku.id).where(MerchantSku.merchant_id == merchant_id,
                                                             MerchantSku.sku_code == sku_code)).first()
        if product_id and not taken:
            try:
                # SkuCreate is the API's body, so it takes the product as the merchant would: by public id.
                service.create_sku(session, merchant_id=merchant_id,
                                   data=SkuCreate(product_id=encode(product_id), sku_code=sku_code,
                                                  price_cents=price))
            except RuleViolation:
                continue


def _large(session: Session, ctx: SeedContext) -> None:
    have = session.execute(select(func.count(Product.id))).scalar_one()
    missing = LARGE_PRODUCTS - have
    if missing <= 0:
        return
    bases = [dict(zip(_COPIED + ("list_price_cents", "manufacturer"), row, strict=True)) for row in session.execute(
        select(*(getattr(Product, c) for c in _COPIED), Product.list_price_cents, Product.manufacturer)
        .where(Product.source_key.not_like("synthetic:%")).order_by(Product.id))]
    first = session.execute(select(func.count(Product.id)).where(Product.source_key.like("synthetic:%"))).scalar_one()
    rng = random.Random(f"{ctx.seed}:catalog-large:{first}")
    batch = []
    for n, variant in ctx.progress(enumerate(variants(len(bases), missing, rng), start=first), length=missing,
                                   label="catalogue SKUs"):
        base = bases[variant.base]
        batch.append({**{c: base[c] for c in _COPIED}, "source_key": f"synthetic:{n}", "status": "active",
                      "manufacturer": variant.manufacturer, "strength": variant.strength, "package": variant.package,
                      "list_price_cents": int((base["list_price_cents"] or 2000) * variant.price_factor) // 10 * 10 + 10,
                      "popularity": variant.popularity, "source": "synthetic benchmark variant"})
        if len(batch) == BATCH:
            session.execute(insert(Product), batch)
            batch.clear()
    if batch:
        session.execute(insert(Product), batch)
    service.catalog_changed(session)


def seed(session: Session, ctx: SeedContext) -> None:
    import_catalog(session, ctx.data_dir)
    _price_unpriced(session, ctx)
    service.catalog_changed(session)
    _demo_skus(session, ctx)
    if ctx.large:
        _large(session, ctx)
