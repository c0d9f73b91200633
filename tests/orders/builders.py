"""Builders for order tests, all reached as `builders.<name>`: the stocked shop and its buyers (from
`healthhub.seed.shop`, where the orders benchmark starts too), stock figures (from inventory's test builders),
prices, addresses, aged uploads."""
from datetime import timedelta

from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.catalog.schemas import ProductUpdate
from healthhub.orders import cart as carts
from healthhub.orders.models import Address, RxUpload
from healthhub.seed.shop import beijing_address, make_buyer, make_product, stock_location  # noqa: F401
from tests.inventory.builders import available, min_stock_figures, on_hand  # noqa: F401


def set_price(session: Session, product_id: int, price_cents: int) -> None:
    catalog.update_product(session, product_id=product_id, data=ProductUpdate(list_price_cents=price_cents))


def address_row(session: Session, user_id: int, address_id: int) -> Address:
    return carts.address_of(session, user_id=user_id, address_id=address_id)


def age_upload(session: Session, upload_id: int, *, days: int) -> None:
    """Moves an approved upload's dates into the past, as if it had been approved `days` ago."""
    upload = session.get(RxUpload, upload_id)
    upload.issued_on -= timedelta(days=days)
    upload.valid_until -= timedelta(days=days)
    session.flush()
