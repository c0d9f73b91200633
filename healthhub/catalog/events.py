"""What the catalogue tells others about merchants' SKUs."""
from healthhub.core.events import domain_event


@domain_event("catalog.sku_store_chosen")
class SkuStoreChosen:
    """A merchant binds a SKU to a store, before the SKU is written. Stores are inventory's: its handler
    refuses a store that is not this merchant's by raising, which rolls the write back."""

    merchant_id: int
    location_id: int
