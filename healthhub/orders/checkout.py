"""Checkout: price the items, check the rules and route them to channels, without writing anything. The
preview shows this plan; placing the order (`lifecycle.place_order`) reserves stock for it.

A line that cannot be bought (banned, gone, unmatchable against a prescription, undeliverable) does not stop
the plan: it is set aside as a `BlockedLine` with the reason, so the preview explains it on that line and
plans the rest. Placing an order refuses a plan with any blocked line: the buyer removes it first.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.core.errors import AppError, Conflict
from healthhub.core.public_ids import encode
from healthhub.inventory import service as inventory
from healthhub.orders import cart as carts
from healthhub.orders import rx_gate
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
class BlockedLine:
    product_id: int
    name: str
    quantity: int
    error: AppError  # what placing an order with this line raises; its detail is the reason shown

    @property
    def reason(self) -> str:
        return self.error.detail


@dataclass(frozen=True)
class CheckoutPlan:
    lines: dict[int, PricedLine]
    shipments: list[inventory.PlannedShipment]
    needs: list[RxNeed]
    blocked: list[BlockedLine]

    @property
    def subtotal_cents(self) -> int:
        return sum(line.unit_price_cents * line.quantity for line in self.lines.values())

    def ensure_orderable(self) -> None:
        """An order is placed for every requested line or not at all: the first blocked line's error."""
        if self.blocked:
            raise self.blocked[0].error


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


def _price(session: Session, quantities: dict[int, int]) -> tuple[dict[int, PricedLine], list[BlockedLine]]:
    """Priced lines for the products that may be sold online (OD-01); the others, with why, as blocked."""
    views = catalog.get_products(session, ids=quantities)
    lines: dict[int, PricedLine] = {}
    blocked: list[BlockedLine] = []
    for product_id, quantity in quantities.items():
        view = views.get(product_id)
        if view is None:
            blocked.append(BlockedLine(product_id, f"商品 {encode(product_id)}", quantity,
                                       catalog.product_not_found(product_id)))
            continue
        try:
            catalog.ensure_sellable(view)
            rx_gate.ensure_matchable(view.name, rx=bool(view.rx), knowledge_key=view.knowledge_key)
        except AppError as exc:
            blocked.append(BlockedLine(product_id, view.name, quantity, exc))
            continue
        lines[product_id] = PricedLine(view.id, view.name, carts.spec_of(view), view.knowledge_key, bool(view.rx),
                                       bool(view.cold_chain), view.price_cents, quantity)
    return lines, blocked


def plan_checkout(session: Session, *, items: Iterable[OrderItem], address: Address, now: datetime) -> CheckoutPlan:
    lines, blocked = _price(session, merge_items(items))
    plan = inventory.route_order(session, lines=[inventory.RouteLine(line.product_id, line.quantity, line.cold_chain)
                                                 for line in lines.values()],
                                 destination=destination_of(address), now=now)
    for unroutable in plan.unroutable:
        line = lines.pop(unroutable.line.product_id)
        blocked.append(BlockedLine(line.product_id, line.name, line.quantity, Conflict(
            f"{line.name}：{unroutable.reason_zh}，无法配送到该地址 / cannot be delivered to this address",
            code=ErrorCode.OUT_OF_STOCK, products=[encode(line.product_id)])))
    needs = rx_needs([RxLine(line.knowledge_key, line.name, line.quantity, line.rx) for line in lines.values()])
    return CheckoutPlan(lines=lines, shipments=list(plan.shipments), needs=needs, blocked=blocked)
