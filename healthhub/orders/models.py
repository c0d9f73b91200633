"""Cart, delivery addresses, orders, shipments and uploaded prescription images.

Products, stock locations, e-prescriptions and payments belong to other domains and are referenced by
plain id columns (no ForeignKey), so this branch depends on `core` alone.
"""
from datetime import date, datetime
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, Float, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthhub.core.crypto import EncryptedString
from healthhub.core.db import Base, TimestampMixin, utcnow


class CartItem(TimestampMixin, Base):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("user_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    # The e-prescription the buyer chose this Rx line for (prescriptions domain id, no ForeignKey):
    # checkout offers it, and the Rx gate claims it when the order is placed.
    prescription_id: Mapped[int | None] = mapped_column(Integer)


class Address(TimestampMixin, Base):
    __tablename__ = "delivery_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(32))
    mobile: Mapped[str] = mapped_column(EncryptedString())
    region: Mapped[str] = mapped_column(String(64))  # 省市区 as the buyer reads it
    detail: Mapped[str] = mapped_column(String(200))
    city_adcode: Mapped[str] = mapped_column(String(6))
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class Order(TimestampMixin, Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    subtotal_cents: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    # The address is copied: later edits of the address book never change where an order went.
    # The place stays readable for routing; who receives it is encrypted like every stored mobile (DP-08).
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipient: Mapped[str] = mapped_column(EncryptedString())
    recipient_mobile: Mapped[str] = mapped_column(EncryptedString())
    requires_rx: Mapped[bool] = mapped_column(Boolean, default=False)
    rx_source: Mapped[str | None] = mapped_column(String(16))  # "eprescription" | "upload"
    rx_ref: Mapped[int | None] = mapped_column(Integer)
    rx_claimed: Mapped[bool] = mapped_column(Boolean, default=False)
    # OD-03: when the buyer acknowledged the prescription-drug risk warning (orders with Rx lines only).
    rx_risk_acknowledged_at: Mapped[datetime | None]
    reserved_until: Mapped[datetime]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", order_by="OrderLine.id",
                                                    cascade="all, delete-orphan")
    shipments: Mapped[list["Shipment"]] = relationship(back_populates="order", order_by="Shipment.seq",
                                                       cascade="all, delete-orphan")
    history: Mapped[list["OrderStatusChange"]] = relationship(order_by="OrderStatusChange.id",
                                                              cascade="all, delete-orphan")


class OrderLine(Base):
    """A product with the price, name and Rx status it had when the order was placed."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("order_shipments.id"))
    product_id: Mapped[int] = mapped_column(Integer)
    product_name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(200), default="")
    knowledge_key: Mapped[str | None] = mapped_column(String(64))
    rx: Mapped[bool] = mapped_column(Boolean)
    cold_chain: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_cents: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="lines")
    shipment: Mapped["Shipment | None"] = relationship()


class Shipment(Base):
    """One parcel of an order, from one stock location through one channel (the routing plan)."""

    __tablename__ = "order_shipments"
    __table_args__ = (UniqueConstraint("order_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    reservation_ref: Mapped[str] = mapped_column(String(48), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    location_id: Mapped[int] = mapped_column(Integer)
    location_name: Mapped[str] = mapped_column(String(120))
    promised_at: Mapped[datetime]
    eta_text: Mapped[str] = mapped_column(String(64))
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    cost_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending | dispatched | delivered | cancelled | returned
    tracking_no: Mapped[str | None] = mapped_column(String(40))
    dispatched_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="shipments")


class OrderStatusChange(Base):
    """The tracking timeline: every state change with who and why."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class RxUpload(TimestampMixin, Base):
    """A photo of a paper prescription; a pharmacist transcribes and approves what it covers."""

    __tablename__ = "rx_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    image: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | approved | rejected | used
    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(300))
    used_order_ref: Mapped[str | None] = mapped_column(String(32))

    items: Mapped[list["RxUploadItem"]] = relationship(order_by="RxUploadItem.id", cascade="all, delete-orphan")


class RxUploadItem(Base):
    __tablename__ = "rx_upload_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("rx_uploads.id"), index=True)
    knowledge_key: Mapped[str] = mapped_column(String(64))
    drug_name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
