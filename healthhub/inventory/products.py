"""What inventory needs from the catalogue, asked through the catalogue's service (never its tables)."""
from collections.abc import Iterable

from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.core.public_ids import encode


def product_names(session: Session, *, product_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(product_ids)
    found = catalog.get_products(session, ids=wanted)
    return {pid: found[pid].name if pid in found else f"商品 {encode(pid)}" for pid in wanted}


def product_name(session: Session, *, product_id: int) -> str:
    return product_names(session, product_ids=[product_id])[product_id]


def require_product(session: Session, *, product_id: int):
    """The catalogue's view of a product; raises NotFound for an unknown one (stock for it is meaningless)."""
    return catalog.get_product(session, product_id=product_id)
