"""Inventory settings (environment prefix HEALTHHUB_INVENTORY_)."""
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from healthhub.inventory.fefo import DEFAULT_MIN_SHELF_LIFE_DAYS


class InventorySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEALTHHUB_INVENTORY_", env_file=".env", extra="ignore")

    # Never sell a batch with fewer days of shelf life left than this (FEFO skips it).
    min_shelf_life_days: int = Field(DEFAULT_MIN_SHELF_LIFE_DAYS, ge=0, le=3650)
    # Batches expiring within this many days appear on the near-expiry lists.
    near_expiry_days: int = Field(90, ge=1, le=3650)
    default_reservation_minutes: int = Field(30, ge=1, le=24 * 60)


@lru_cache
def inventory_settings() -> InventorySettings:
    return InventorySettings()
