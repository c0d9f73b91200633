"""The storefront's composed reads: a catalogue product as this shopper may see it, with what the shopper's
approved prescription unlocks (prescriptions), and the products pharmacies nearby can sell now (inventory).
Nothing here writes."""
from datetime import datetime

from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.catalog.schemas import ProductDetail
from healthhub.catalog.views import detail, visible_product
from healthhub.identity.service import Principal
from healthhub.inventory import service as inventory
from healthhub.storefront.rx_access import access_for

NEAR_RADIUS_KM = 5.0


def product_detail(session: Session, *, product_id: int, principal: Principal | None, prescription_id: int | None,
                   now: datetime) -> ProductDetail:
    """OD-03: an Rx drug's insert and buy option only with the caller's approved prescription for it (the one
    named, when it covers the drug). Only an Rx product that may be sold online is ever unlocked."""
    product = visible_product(session, product_id=product_id, principal=principal)
    view = catalog.view_of(product)
    unlockable = view.rx and view.sellable_online and view.active
    access = access_for(session, principal, knowledge_key=view.knowledge_key, prescription_id=prescription_id,
                        now=now) if unlockable else None
    return detail(product, access)


def in_stock_near(session: Session, *, lat: float, lng: float, now: datetime) -> frozenset[int]:
    """Product ids that an open pharmacy near the shopper can sell now (the "附近有货" filter)."""
    return frozenset(inventory.product_ids_in_stock_near(session, lat=lat, lng=lng, radius_km=NEAR_RADIUS_KM,
                                                         now=now))
