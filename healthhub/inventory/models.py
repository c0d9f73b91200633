"""Stock tables: locations (warehouses, merchant stores, partner pharmacies), batches, reservations,
the stock-move ledger, and the geo-index version marker.

Other domains' rows (products, orders) are referenced by plain id / reference columns, never by
foreign key; only users.id is a foreign key.
"""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.db import Base, TimestampMixin, utcnow

LOCATION_KINDS = ("warehouse", "merchant", "pharmacy")
MOVE_KINDS = ("receipt", "sale", "return", "write_off", "adjustment")
RESERVATION_STATUSES = ("held", "committed", "released", "expired")


class Location(TimestampMixin, Base):
    """One table for the three kinds of stock location; columns that do not apply to a kind stay NULL."""

    __tablename__ = "inventory_locations"
    __table_args__ = (
        CheckConstraint("kind IN ('warehouse', 'merchant', 'pharmacy')", name="kind"),
        CheckConstraint("kind <> 'pharmacy' OR (lat IS NOT NULL AND lng IS NOT NULL AND delivery_radius_km > 0)",
                        name="pharmacy_geo"),
        Index("ix_inventory_locations_kind_active", "kind", "is_active"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    city_adcode: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    # The merchant or partner-pharmacy account that manages this location's stock.
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    cold_chain: Mapped[bool] = mapped_column(default=False)
    shipping_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Self-operated warehouses.
    handles_drugs: Mapped[bool] = mapped_column(default=True)
    covered_city_adcodes: Mapped[list[str]] = mapped_column(JSON, default=list)
    same_day_cutoff_hour: Mapped[int | None] = mapped_column(Integer)
    # Merchant stores ship nationwide within this many days.
    ship_days_min: Mapped[int | None] = mapped_column(Integer)
    ship_days_max: Mapped[int | None] = mapped_column(Integer)
    # Partner pharmacies: {"0": [["08:00", "22:00"]], ...}, Monday = "0", local time Asia/Shanghai.
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    insurance_designated: Mapped[bool] = mapped_column(default=False)
    delivery_radius_km: Mapped[float | None] = mapped_column(Float)


class StockBatch(TimestampMixin, Base):
    __tablename__ = "inventory_batches"
    __table_args__ = (
        UniqueConstraint("location_id", "product_id", "batch_no"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("unit_cost_cents >= 0", name="unit_cost_not_negative"),
        Index("ix_inventory_batches_product_location", "product_id", "location_id"),
        Index("ix_inventory_batches_expiry", "expiry_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"), index=True)
    batch_no: Mapped[str] = mapped_column(String(64))
    expiry_date: Mapped[date] = mapped_column(Date)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    unit_cost_cents: Mapped[int] = mapped_column(Integer)


class Reservation(Base):
    """Stock held for an order. Its status changes only while its batch row is locked, so a concurrent
    commit, release and expiry sweep can never both apply to the same hold."""

    __tablename__ = "inventory_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("returned_quantity >= 0 AND returned_quantity <= quantity", name="returned_within"),
        CheckConstraint("status IN ('held', 'committed', 'released', 'expired')", name="status"),
        Index("ix_inventory_reservations_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_ref: Mapped[str] = mapped_column(String(64), index=True)
    product_id: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("inventory_batches.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="held")
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolution_reason: Mapped[str | None] = mapped_column(String(255))


class StockMove(Base):
    """Ledger of every on-hand change. `quantity` is signed (receipt +, sale -, return +, write-off -,
    adjustment either way); `unit_cost_cents` is copied from the batch so valuations never change later."""

    __tablename__ = "inventory_moves"
    __table_args__ = (
        CheckConstraint("kind IN ('receipt', 'sale', 'return', 'write_off', 'adjustment')", name="kind"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        Index("ix_inventory_moves_occurred_kind", "occurred_at", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[int] = mapped_column(ForeignKey("inventory_batches.id"), index=True)
    product_id: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(ForeignKey("inventory_locations.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost_cents: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(255), default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class GeoIndexVersion(Base):
    """One row whose token changes whenever a partner pharmacy is added or changed, so every process
    rebuilds its in-memory geo index on the next lookup (a random token, not a counter, so a rolled
    back change can never be mistaken for a later one)."""

    __tablename__ = "inventory_geo_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
