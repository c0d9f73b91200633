"""Checkout: price the items, check the rules, route them to channels and place the order.

Placing an order is all-or-nothing: prices are frozen from the catalogue, stock is reserved per
planned shipment and the prescription is claimed inside one savepoint, so any failure (a special-
management drug, stock short on the second shipment, a used prescription) leaves no order, no
reservation and no claim behind, even when the caller goes on using the session.
"""
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from healthhub.catalog.service import RX_RISK_WARNING
from healthhub.core import audit
from healthhub.core.errors import AppError, Conflict, RuleViolation
from healthhub.core.public_ids import encode
from healthhub.inventory import service as inventory
from healthhub.inventory.routing import Destination, PlannedShipment, RouteLine
from healthhub.inventory.schemas import ReserveLine
from healthhub.orders import cart as carts
from healthhub.orders.models import Address, Order, OrderLine, OrderStatusChange, Shipment
from healthhub.orders.rx_gate import RxLine, RxNeed, RxSource, attach, require_source, rx_needs
from healthhub.orders.statemachine import OrderStatus
from healthhub.orders.uploads import CHINA

RESERVATION_TTL = timedelta(minutes=15)  # an unpaid checkout gives its stock back after this
MAX_ORDER_LINES = 30
RISK_NOT_ACKNOWLEDGED = ("购买处方药须先阅读并勾选确认风险提示 (OD-03) / acknowledge the prescription-drug risk warning "
                         "(rx_risk_acknowledged) before ordering")


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
    shipments: list[PlannedShipment]
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
        raise AppError("订单中没有商品 / the order has no items", code="empty-order", status=422)
    if len(merged) > MAX_ORDER_LINES:
        raise AppError(f"一个订单最多 {MAX_ORDER_LINES} 种商品 / at most {MAX_ORDER_LINES} products per order",
                       code="too-many-lines", status=422)
    for quantity in merged.values():
        carts.validate_quantity(quantity)
    return merged


def destination_of(address: Address) -> Destination:
    return Destination(lat=address.lat, lng=address.lng, city_adcode=address.city_adcode)


def plan_checkout(session: Session, *, items: Iterable[OrderItem], address: Address, now: datetime) -> CheckoutPlan:
    quantities = merge_items(items)
    views = carts.sellable_views(session, list(quantities))  # OD-01: special-management drugs stop here
    lines: dict[int, PricedLine] = {}
    for product_id, quantity in quantities.items():
        view = views[product_id]
        lines[product_id] = PricedLine(view.id, view.name, carts.spec_of(view), view.knowledge_key, bool(view.rx),
                                       bool(view.cold_chain), view.price_cents, quantity)
    needs = rx_needs([RxLine(line.knowledge_key, line.name, line.quantity, line.rx) for line in lines.values()])
    plan = inventory.route_order(session, lines=[RouteLine(line.product_id, line.quantity, line.cold_chain)
                                                 for line in lines.values()],
                                 destination=destination_of(address), now=now)
    if plan.unroutable:
        detail = "；".join(f"{lines[u.line.product_id].name}：{u.reason_zh}" for u in plan.unroutable)
        raise Conflict(f"部分商品无法配送到该地址：{detail} / some items cannot be delivered to this address",
                       code="out-of-stock", products=[encode(u.line.product_id) for u in plan.unroutable])
    return CheckoutPlan(lines=lines, shipments=list(plan.shipments), needs=needs)


def new_order_no(now: datetime) -> str:
    return f"{now.astimezone(CHINA):%y%m%d}{secrets.randbelow(10 ** 10):010d}"


def ship_to(address: Address) -> dict:
    """Where the order goes; the recipient's name and mobile go to the order's encrypted columns instead."""
    return {"region": address.region, "detail": address.detail, "city_adcode": address.city_adcode,
            "lat": address.lat, "lng": address.lng}


def create_order(session: Session, *, buyer_id: int, items: Iterable[OrderItem], address_id: int,
                 rx: RxChoice | None, now: datetime) -> Order:
    address = carts.address_of(session, user_id=buyer_id, address_id=address_id)
    plan = plan_checkout(session, items=items, address=address, now=now)
    return place_order(session, buyer_id=buyer_id, address=address, plan=plan, rx=rx, now=now)


def _order_line(priced: PricedLine, quantity: int, shipment: Shipment) -> OrderLine:
    return OrderLine(shipment=shipment, product_id=priced.product_id, product_name=priced.name, spec=priced.spec,
                     knowledge_key=priced.knowledge_key, rx=priced.rx, cold_chain=priced.cold_chain,
                     unit_price_cents=priced.unit_price_cents, quantity=quantity,
                     line_total_cents=priced.unit_price_cents * quantity)


def place_order(session: Session, *, buyer_id: int, address: Address, plan: CheckoutPlan, rx: RxChoice | None,
                now: datetime) -> Order:
    """Writes the order for a plan. Stock may have moved since the plan was made: a reservation that
    can no longer be met fails the whole order, never just one of its shipments."""
    require_source(plan.needs, rx.source if rx else None, rx.ref if rx else None)
    if plan.needs and not rx.risk_acknowledged:
        raise RuleViolation(f"{RISK_NOT_ACKNOWLEDGED}：{RX_RISK_WARNING}", code="rx-risk-not-acknowledged")
    with session.begin_nested():
        order_no = new_order_no(now)
        # Stock, then the prescription, then every order row in one flush: neither claim needs a row of
        # ours, and writing the order once (rather than shipment by shipment) saves round trips.
        shipments = []
        for seq, planned in enumerate(plan.shipments, start=1):
            reservation_ref = f"{order_no}-{seq}"
            inventory.reserve(session, order_ref=reservation_ref, ttl=RESERVATION_TTL, now=now,
                              lines=[ReserveLine(line.product_id, planned.location_id, line.quantity)
                                     for line in planned.lines])
            shipments.append(Shipment(seq=seq, reservation_ref=reservation_ref, channel=planned.channel,
                                      location_id=planned.location_id, location_name=planned.location_name,
                                      promised_at=planned.promised_at, eta_text=planned.eta_text,
                                      reason_zh=planned.reason_zh, reason_en=planned.reason_en,
                                      cost_cents=planned.cost_cents, status="pending"))
        rx_claimed = bool(plan.needs) and attach(session, source=rx.source, ref=rx.ref, buyer_id=buyer_id,
                                                 needs=plan.needs, order_ref=order_no, now=now)
        lines = [_order_line(plan.lines[route_line.product_id], route_line.quantity, shipment)
                 for shipment, planned in zip(shipments, plan.shipments, strict=True) for route_line in planned.lines]
        status = OrderStatus.PENDING_PAYMENT.value
        note = "已下单，等待支付" + ("（处方已核验）" if rx_claimed else "（处方待药师审核）" if plan.needs else "")
        note += "；买家已确认处方药风险提示" if plan.needs else ""
        # Built whole, collections included: one flush writes it and nothing has to be loaded back.
        order = Order(order_no=order_no, buyer_id=buyer_id, status=status,
                      subtotal_cents=plan.subtotal_cents, total_cents=plan.subtotal_cents, paid_cents=0,
                      refunded_cents=0, ship_to=ship_to(address), recipient=address.recipient,
                      recipient_mobile=address.mobile, requires_rx=bool(plan.needs),
                      rx_source=rx.source.value if rx and plan.needs else None,
                      rx_ref=rx.ref if rx and plan.needs else None, rx_claimed=rx_claimed,
                      rx_risk_acknowledged_at=now if plan.needs else None,
                      reserved_until=now + RESERVATION_TTL, created_at=now, updated_at=now,
                      shipments=shipments, lines=lines,
                      history=[OrderStatusChange(from_status=None, to_status=status, note=note, at=now)])
        session.add(order)
        carts.remove_ordered(session, user_id=buyer_id,
                             ordered={p.product_id: p.quantity for p in plan.lines.values()})
        # Last: the audit head lock is held until commit.
        audit.record(session, action="order.create", entity_type="order", entity_id=order.order_no, detail={
            "buyer_id": buyer_id, "total_cents": order.total_cents, "shipments": len(plan.shipments),
            "lines": [[p.product_id, p.quantity, p.unit_price_cents] for p in plan.lines.values()],
            "rx": [order.rx_source, order.rx_ref, order.rx_claimed], "rx_risk_acknowledged": bool(plan.needs)})
    return order
