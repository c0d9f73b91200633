"""Catalogue tables: products (drugs and health goods) and merchants' offers of them (SKUs).

Other domains reference products by id only and read them through `catalog.service`.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthhub.core.db import Base, TimestampMixin, utcnow


class Product(TimestampMixin, Base):
    __tablename__ = "catalog_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Import identity: "curated:C001" or "products:<drug_generic_id>:<hash of maker + brand>"; None = operator-made.
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="drug")  # drug | health
    generic_name: Mapped[str] = mapped_column(String(128), index=True)  # 通用名 (health goods: product name)
    brand_name: Mapped[str | None] = mapped_column(String(64))
    english_name: Mapped[str | None] = mapped_column(String(200))
    atc_code: Mapped[str | None] = mapped_column(String(16))
    dosage_form: Mapped[str | None] = mapped_column(String(32))
    strength: Mapped[str | None] = mapped_column(String(64))
    package: Mapped[str | None] = mapped_column(String(64))
    approval_number: Mapped[str | None] = mapped_column(String(32))  # 国药准字H12345678
    manufacturer: Mapped[str] = mapped_column(String(128))
    rx_class: Mapped[str] = mapped_column(String(8), default="rx")  # rx | otc_a | otc_b | none
    special_class: Mapped[str | None] = mapped_column(String(32))  # knowledge.model.SpecialClass
    online_sale_banned: Mapped[bool] = mapped_column(Boolean, default=False)
    ban_reason: Mapped[str | None] = mapped_column(String(200))
    cold_chain: Mapped[bool] = mapped_column(Boolean, default=False)
    insurance_category: Mapped[str | None] = mapped_column(String(1))  # A | B | None
    category: Mapped[str] = mapped_column(String(32), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    list_price_cents: Mapped[int | None] = mapped_column(Integer)  # None: no price yet, not purchasable
    description: Mapped[str | None] = mapped_column(Text)
    insert_text: Mapped[str | None] = mapped_column(Text)  # package insert (说明书)
    knowledge_key: Mapped[str | None] = mapped_column(String(80), index=True)
    ingredient_name: Mapped[str | None] = mapped_column(String(64))
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | inactive
    source: Mapped[str | None] = mapped_column(String(300))


class MerchantSku(TimestampMixin, Base):
    __tablename__ = "catalog_merchant_skus"
    __table_args__ = (UniqueConstraint("merchant_id", "sku_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(Integer, index=True)  # users.id of the merchant account
    store_location_id: Mapped[int | None] = mapped_column(Integer)  # inventory location id
    sku_code: Mapped[str] = mapped_column(String(64))
    price_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | inactive


class CatalogState(Base):
    """One row; `version` changes on every catalogue write so each process knows its search index is stale."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportRun(Base):
    __tablename__ = "catalog_import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_dir: Mapped[str | None] = mapped_column(String(300))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
