"""Turns catalogue rows into the API's output models, shared by the catalogue's routes and the storefront's
(which adds what an approved prescription unlocks, OD-03)."""
from dataclasses import dataclass

from sqlalchemy.orm import Session

from healthhub.catalog import service
from healthhub.catalog.models import MerchantSku, Product
from healthhub.catalog.policies import can_see_unsellable_products
from healthhub.catalog.schemas import ProductDetail, ProductSummary, SkuOut
from healthhub.identity.service import Principal


@dataclass(frozen=True)
class RxAccess:
    """The approved prescription an Rx product's page is unlocked by (the storefront finds it), and how many
    packages of the drug it allows."""

    prescription_id: int
    number: str
    quantity: int


def summary(product: Product) -> ProductSummary:
    return ProductSummary(
        id=product.id, name=service.display_name(product), generic_name=product.generic_name,
        brand_name=product.brand_name, manufacturer=product.manufacturer, package=product.package,
        rx_class=product.rx_class, rx=product.rx_class == "rx", insurance_category=product.insurance_category,
        category=product.category, price_cents=product.list_price_cents,
        sellable_online=service.not_sellable_reason(product) is None,
        not_sellable_reason=service.not_sellable_reason(product))


def detail(product: Product, access: RxAccess | None = None) -> ProductDetail:
    """`access`: the caller's approved prescription for this drug, if any."""
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


def visible_product(session: Session, *, product_id: int, principal: Principal | None) -> Product:
    """Storefront callers never see products that may not be sold online (they are told why); staff see
    everything."""
    product = session.get(Product, product_id)
    staff = can_see_unsellable_products(principal)
    if product is None or (product.status != "active" and not staff):
        raise service.product_not_found(product_id)
    if not staff and service.not_sellable_reason(product) is not None:
        raise service.not_sold_online(product)
    return product


def sku_out(session: Session, sku: MerchantSku) -> SkuOut:
    return SkuOut(id=sku.id, product_id=sku.product_id,
                  product_name=service.get_product(session, product_id=sku.product_id).name, merchant_id=sku.merchant_id,
                  store_location_id=sku.store_location_id, sku_code=sku.sku_code, price_cents=sku.price_cents,
                  status=sku.status)
