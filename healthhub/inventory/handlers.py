"""Reactions to the catalogue: a merchant may bind a SKU only to one of their own stores."""
from sqlalchemy.orm import Session

from healthhub.catalog.events import SkuStoreChosen
from healthhub.core.errors import NotFound
from healthhub.core.events import handles
from healthhub.inventory.errors import ErrorCode
from healthhub.inventory.locations import locations_of


@handles(SkuStoreChosen)
def refuse_foreign_store(session: Session, event: SkuStoreChosen) -> None:
    """Another merchant's store answers exactly like a missing one, so store ids cannot be probed."""
    if all(store.id != event.location_id for store in locations_of(session, owner_user_id=event.merchant_id)):
        raise NotFound("门店不存在或不属于您 / store not found among your stores", code=ErrorCode.STORE_NOT_FOUND)


HANDLERS = [refuse_foreign_store]
