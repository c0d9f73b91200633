"""What inventory needs from the catalogue, asked through the catalogue's service (never its tables).

Imported lazily: the catalogue asks inventory which products are in stock nearby, so a module-level
import in either direction would be circular.
"""
from collections.abc import Iterable

from sqlalchemy.orm import Session

from healthhub.core.errors import NotFound


def product_names(session: Session, product_ids: Iterable[int]) -> dict[int, str]:
    from healthhub.catalog import service as catalog  # noqa: PLC0415

    names = {}
    for product_id in set(product_ids):
        try:
            names[product_id] = catalog.get_product(session, product_id).display_name
        except NotFound:
            names[product_id] = f"商品#{product_id}"
    return names


def product_name(session: Session, product_id: int) -> str:
    return product_names(session, [product_id])[product_id]


def cold_chain_of(session: Session, product_id: int) -> bool:
    """Raises NotFound for an unknown product: stock or routing for it would be meaningless."""
    from healthhub.catalog import service as catalog  # noqa: PLC0415

    return bool(catalog.get_product(session, product_id).cold_chain)
