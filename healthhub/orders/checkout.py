"""Checkout: price the items, check the rules and route them to channels, without writing anything. The
preview shows this plan; placing the order (`lifecycle.place_order`) reserves stock for it.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthhub.core.errors import AppError, Conflict
from healthhub.core.public_ids import encode
from healthhub.inventory import service as inventory
from healthhub.orders import cart as carts
from healthhub.orders.errors import ErrorCode
from healthhub.orders.models import Address
from healthhub.orders.rx_gate import RxLine, RxNeed, RxSource, rx_needs

MAX_ORDER_LINES = 30


@dataclass(frozen=True)
class OrderItem:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class RxChoice:
    source: RxSource
    ref: int
    risk_acknowledged: bool = False  # OD-03: the buyer ticked the prescription-drug risk warning


@dataclass(frozen=True)
class PricedLine:
    product_id: int
    name: str
    spec: str
    knowledge_key: str | None
    rx: bool
    cold_chain: bool
    unit_price_cents: int
    quantity: int


@dataclass(frozen=True)
class CheckoutPlan:
    lines: dict[int, PricedLine]
    shipments: list[inventory.PlannedShipment]
    needs: list[RxNeed]

    @property
    def subtotal_cents(self) -> int:
        return sum(line.unit_price_cents * line.quantity for line in self.lines.values())


def merge_items(items: Iterable[OrderItem]) -> dict[int, int]:
    """Quantities per product (the same product twice is one line); validates counts and quantities."""
    merged: dict[int, int] = {}
    for item in items:
        merged[item.product_id] = merged.get(item.product_id, 0) + carts.validate_quantity(item.quantity)
    if not merged:
        raise AppError("订单中没有商品 / the order has no items", code=ErrorCode.EMPTY_ORDER, status=422)
    if len(merged) > MAX_ORDER_LINES:
        raise AppError(f"一个订单最多 {MAX_ORDER_LINES} 种商品 / at most {MAX_ORDER_LINES} products per order",
                       code=ErrorCode.TOO_MANY_LINES, status=422)
    for quantity in merged.values():
        carts.validate_quantity(quantity)
    return merged


def destination_of(address: Address) -> inventory.Destination:
    return inventory.Destination(lat=address.lat, lng=address.lng, city_adcode=address.city_adcode)


def plan_checkout(session: Session, *, items: Iterable[OrderItem], address: Address, now: datetime) -> CheckoutPlan:
    quantities = merge_items(items)
    views = carts.sellable_views(session, product_ids=list(quantities))  # OD-01: special-management drugs stop here
    lines: dict[int, PricedLine] = {}
    for product_id, quantity in quantities.items():
        view = views[product_id]
        lines[product_id] = PricedLine(view.id, view.name, carts.spec_of(view), view.knowledge_key, bool(view.rx),
                                       bool(view.cold_chain), view.price_cents, quantity)
    needs = rx_needs([RxLine(line.knowledge_key, line.name, line.quantity, line.rx) for line in lines.values()])
    plan = inventory.route_order(session, lines=[inventory.RouteLine(line.product_id, line.quantity, line.cold_chain)
                                                 for line in lines.values()],
                                 destination=destination_of(address), now=now)
    if plan.unroutable:
        detail = "；".join(f"{lines[u.line.product_id].name}：{u.reason_zh}" for u in plan.unroutable)
        raise Conflict(f"部分商品无法配送到该地址：{detail} / some items cannot be delivered to this address",
                       code=ErrorCode.OUT_OF_STOCK, products=[encode(u.line.product_id) for u in plan.unroutable])
    return CheckoutPlan(lines=lines, shipments=list(plan.shipments), needs=needs)
