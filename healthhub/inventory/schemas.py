"""The inventory service contract (plain dataclasses other domains pass in and get back) and the
Pydantic bodies of the HTTP API."""
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from healthhub.core.inputs import BodyId, Latitude, Longitude
from healthhub.core.public_ids import PublicId
from healthhub.inventory.routing import (Destination, PlannedShipment, RouteLine, RoutingPlan,  # noqa: F401
                                         UnroutableLine)


@dataclass(frozen=True)
class ReserveLine:
    product_id: int
    location_id: int
    quantity: int


@dataclass(frozen=True)
class ShipmentHold:
    """One shipment of an order to hold stock for, under its own reference (`order_ref`)."""

    order_ref: str
    lines: list[ReserveLine]


@dataclass(frozen=True)
class ReturnLine:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class ReservationView:
    id: int
    order_ref: str
    product_id: int
    location_id: int
    batch_id: int
    batch_no: str
    expiry_date: date
    quantity: int
    returned_quantity: int
    status: str  # held | committed | released | expired
    expires_at: datetime
    unit_cost_cents: int


# ---- HTTP bodies -------------------------------------------------------------------------------

class ReceiptIn(BaseModel):
    location_id: BodyId
    product_id: BodyId
    batch_no: str = Field(min_length=1, max_length=64, description="生产批号")
    expiry_date: date
    quantity: int = Field(gt=0, le=1_000_000)
    unit_cost_cents: int = Field(ge=0, le=100_000_000)

    @field_validator("batch_no")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("批号不能为空 / batch number is required")
        return value


class WriteOffIn(BaseModel):
    batch_id: BodyId
    quantity: int = Field(gt=0, le=1_000_000)
    reason: str = Field(min_length=2, max_length=255, description="报损原因，如：过期、破损")


class BatchOut(BaseModel):
    id: PublicId
    product_id: PublicId
    product_name: str
    location_id: PublicId
    location_name: str
    batch_no: str
    expiry_date: date
    days_to_expiry: int
    on_hand: int
    reserved: int
    available: int
    unit_cost_cents: int
    sellable: bool


class MoveOut(BaseModel):
    id: PublicId
    kind: str
    batch_id: PublicId
    product_id: PublicId
    location_id: PublicId
    quantity: int
    unit_cost_cents: int
    reference: str | None
    reason: str
    occurred_at: datetime


class ReceiptOut(BaseModel):
    batch: BatchOut
    move: MoveOut


class StockOutOut(BaseModel):
    product_id: PublicId
    product_name: str
    location_id: PublicId
    location_name: str
    last_movement_at: datetime | None


class LocationOut(BaseModel):
    id: PublicId
    kind: str
    code: str
    name: str
    city_adcode: str
    cold_chain: bool
    is_active: bool


class RouteLineIn(BaseModel):
    product_id: BodyId
    quantity: int = Field(gt=0, le=10_000)
    cold_chain: bool | None = Field(None, description="省略时按商品目录判断 / from the catalogue when omitted")


class RoutePreviewIn(BaseModel):
    lines: list[RouteLineIn] = Field(min_length=1, max_length=50)
    lat: Latitude
    lng: Longitude
    city_adcode: str = Field(pattern=r"^\d{6}$")


class RouteLineOut(BaseModel):
    product_id: PublicId
    quantity: int
    cold_chain: bool


class UnroutableOut(RouteLineOut):
    reason_zh: str
    reason_en: str


class ShipmentOut(BaseModel):
    channel: Literal["instant", "warehouse", "merchant"]
    location_id: PublicId
    location_name: str
    lines: list[RouteLineOut]
    promised_at: datetime
    eta_text: str
    cost_cents: int
    reason_zh: str
    reason_en: str


class RoutePreviewOut(BaseModel):
    shipments: list[ShipmentOut]
    unroutable: list[UnroutableOut]
    total_cost_cents: int


class TurnoverOut(BaseModel):
    start: date
    end: date
    location_id: PublicId | None
    turnover_days: str | None = Field(description="库存周转天数（无销售成本时为空）")
