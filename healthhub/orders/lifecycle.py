"""The order lifecycle, top to bottom: place -> pay -> (await the prescription) -> allocate -> ship -> deliver
-> complete, and the ways out: cancel, expire, refund.

Every status change goes through `statemachine.next_status` (`_transition`) and leaves a timeline entry and
an audit record; money figures on the order mirror its payments (`_sync_money`). This is the one module that
moves the order's stock, with one inventory call per step for all of its shipments: their batches are
locked together in id order, where shipment by shipment two orders could lock them in opposite orders.
"""
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.catalog.service import RX_RISK_WARNING
from healthhub.core import audit
from healthhub.core.dates import CHINA
from healthhub.core.errors import AppError, Conflict, NotFound, RuleViolation
from healthhub.core.public_ids import encode
from healthhub.inventory import service as inventory
from healthhub.orders import cart as carts
from healthhub.orders import rx_gate
from healthhub.orders.checkout import CheckoutPlan, OrderItem, PricedLine, RxChoice, plan_checkout
from healthhub.orders.errors import ErrorCode
from healthhub.orders.models import Address, Order, OrderLine, OrderStatusChange, Shipment
from healthhub.orders.service import PAYABLE_KIND, load_order, order_payments
from healthhub.orders.statemachine import PAID_NOT_SHIPPED, OrderEvent, OrderStatus, next_status
from healthhub.payments import service as payments
from healthhub.payments.views import PaymentView

RESERVATION_TTL = timedelta(minutes=15)  # an unpaid checkout gives its stock back after this
# A paid order waiting for the pharmacist keeps its stock this long: a prescription is valid for at most
# three days (RX-01), so no approval that could still apply to the order comes later.
PAID_RX_HOLD = timedelta(days=3)
RISK_NOT_ACKNOWLEDGED = ("购买处方药须先阅读并勾选确认风险提示 (OD-03) / acknowledge the prescription-drug risk warning "
                         "(rx_risk_acknowledged) before ordering")


def _transition(session: Session, order: Order, event: OrderEvent, note: str, now: datetime) -> None:
    target = next_status(order.status, event)
    order.history.append(OrderStatusChange(from_status=order.status, to_status=target.value, note=note, at=now))
    previous, order.status, order.updated_at = order.status, target.value, now
    session.flush()
    audit.record(session, action=f"order.{event.value}", entity_type="order", entity_id=order.order_no,
                 detail={"from": previous, "to": target.value, "note": note, "paid_cents": order.paid_cents,
                         "refunded_cents": order.refunded_cents})


def _note(session: Session, order: Order, note: str, now: datetime) -> None:
    order.history.append(OrderStatusChange(from_status=order.status, to_status=order.status, note=note, at=now))
    session.flush()


def _sync_money(session: Session, order: Order) -> None:
    held = order_payments(session, order_id=order.id)
    order.paid_cents = sum(p.captured_cents for p in held)
    order.refunded_cents = sum(p.refunded_cents for p in held)


def _stock_of(order: Order) -> list[inventory.ShipmentHold]:
    """Every shipment of the order as it was reserved, for the one inventory call each step makes."""
    return [inventory.ShipmentHold(shipment.reservation_ref, [
        inventory.ReserveLine(line.product_id, shipment.location_id, line.quantity)
        for line in order.lines if line.shipment_id == shipment.id]) for shipment in order.shipments]


# --- place -------------------------------------------------------------------------------------------------

def _new_order_no(now: datetime) -> str:
    return f"{now.astimezone(CHINA):%y%m%d}{secrets.randbelow(10 ** 10):010d}"


def _ship_to(address: Address) -> dict:
    """Where the order goes; the recipient's name and mobile go to the order's encrypted columns instead."""
    return {"region": address.region, "detail": address.detail, "city_adcode": address.city_adcode,
            "lat": address.lat, "lng": address.lng}


def _order_line(priced: PricedLine, quantity: int, shipment: Shipment) -> OrderLine:
    return OrderLine(shipment=shipment, product_id=priced.product_id, product_name=priced.name, spec=priced.spec,
                     knowledge_key=priced.knowledge_key, rx=priced.rx, cold_chain=priced.cold_chain,
                     unit_price_cents=priced.unit_price_cents, quantity=quantity,
                     line_total_cents=priced.unit_price_cents * quantity)


def create_order(session: Session, *, buyer_id: int, items: Iterable[OrderItem], address_id: int,
                 rx: RxChoice | None, now: datetime) -> Order:
    address = carts.address_of(session, user_id=buyer_id, address_id=address_id)
    plan = plan_checkout(session, items=items, address=address, now=now)
    return place_order(session, buyer_id=buyer_id, address=address, plan=plan, rx=rx, now=now)


def place_order(session: Session, *, buyer_id: int, address: Address, plan: CheckoutPlan, rx: RxChoice | None,
                now: datetime) -> Order:
    """Writes the order for a plan, all or nothing: prices are frozen from the plan, stock is reserved for
    every shipment and the prescription is claimed inside one savepoint, so any failure (stock short on the
    second shipment, a used prescription) leaves no order, no hold and no claim behind, even when the
    caller goes on using the session. Stock may have moved since the plan was made. A plan with a line that
    cannot be bought is refused with that line's reason."""
    plan.ensure_orderable()
    rx_gate.require_source(plan.needs, rx.source if rx else None, rx.ref if rx else None)
    if plan.needs and not rx.risk_acknowledged:
        raise RuleViolation(f"{RISK_NOT_ACKNOWLEDGED}：{RX_RISK_WARNING}", code=ErrorCode.RX_RISK_NOT_ACKNOWLEDGED)
    with session.begin_nested():
        order_no = _new_order_no(now)
        # Stock, then the prescription, then every order row in one flush: neither claim needs a row of
        # ours, and writing the order once (rather than shipment by shipment) saves round trips.
        refs = [f"{order_no}-{seq}" for seq in range(1, len(plan.shipments) + 1)]
        inventory.reserve(session, ttl=RESERVATION_TTL, now=now, shipments=[
            inventory.ShipmentHold(ref, [inventory.ReserveLine(line.product_id, planned.location_id, line.quantity)
                                         for line in planned.lines])
            for ref, planned in zip(refs, plan.shipments, strict=True)])
        shipments = [Shipment(seq=seq, reservation_ref=ref, channel=planned.channel, location_id=planned.location_id,
                              location_name=planned.location_name, promised_at=planned.promised_at,
                              eta_text=planned.eta_text, reason_zh=planned.reason_zh, reason_en=planned.reason_en,
                              cost_cents=planned.cost_cents, status="pending")
                     for seq, (ref, planned) in enumerate(zip(refs, plan.shipments, strict=True), start=1)]
        rx_claimed = bool(plan.needs) and rx_gate.attach(session, source=rx.source, ref=rx.ref, buyer_id=buyer_id,
                                                         needs=plan.needs, order_ref=order_no, now=now)
        lines = [_order_line(plan.lines[route_line.product_id], route_line.quantity, shipment)
                 for shipment, planned in zip(shipments, plan.shipments, strict=True) for route_line in planned.lines]
        status = OrderStatus.PENDING_PAYMENT.value
        note = "已下单，等待支付" + ("（处方已核验）" if rx_claimed else "（处方待药师审核）" if plan.needs else "")
        note += "；买家已确认处方药风险提示" if plan.needs else ""
        # Built whole, collections included: one flush writes it and nothing has to be loaded back.
        order = Order(order_no=order_no, buyer_id=buyer_id, status=status,
                      subtotal_cents=plan.subtotal_cents, total_cents=plan.subtotal_cents, paid_cents=0,
                      refunded_cents=0, ship_to=_ship_to(address), recipient=address.recipient,
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


# --- pay ---------------------------------------------------------------------------------------------------

def start_payment(session: Session, *, order: Order, provider_name: str) -> PaymentView:
    """Opens a payment of the order's total; the buyer pays on the provider's page and comes back to the order."""
    return payments.start_payment(session, payable_kind=PAYABLE_KIND, payable_id=order.id, payer_id=order.buyer_id,
                                  amount_cents=order.total_cents, description=f"HealthHub 订单 {order.order_no}",
                                  reference=order.order_no, provider_name=provider_name,
                                  return_url=f"/orders/{encode(order.id)}")


def on_payment_captured(session: Session, *, payment_id: int, now: datetime) -> None:
    payment = payments.get_payment(session, payment_id=payment_id)
    order = load_order(session, order_id=payment.payable_id, lock=True)
    others_hold = any(p.id != payment.id and p.held_cents > 0 for p in order_payments(session, order_id=order.id))
    accepts = (order.status == OrderStatus.PENDING_PAYMENT and not others_hold
               and payment.captured_cents == order.total_cents)
    if not accepts:
        # Paid after cancellation or expiry, paid twice, or a wrong amount: the money goes straight back.
        reason = "订单已关闭或已支付，自动退款 / order closed or already paid: automatic refund"
        payments.refund(session, payment_id=payment.id, amount_cents=payment.held_cents, reason=reason)
        _sync_money(session, order)
        _note(session, order, f"收到一笔无法入账的支付，已自动全额退款 {payment.captured_cents / 100:.2f} 元", now)
        return
    _sync_money(session, order)
    if order.requires_rx and not order.rx_claimed:
        try:
            with session.begin_nested():
                claimed = _claim_rx(session, order, now)
        except AppError as exc:
            # The attached prescription can no longer be used (expired meanwhile, used elsewhere).
            _cancel(session, order, reason=f"处方不可用：{exc.detail}", now=now)
            return
        if not claimed:
            if _hold_for_pharmacist(session, order, now):
                _transition(session, order, OrderEvent.PAY, "已支付，等待药师审核处方后配货", now)
            return
    _allocate(session, order, now)


# --- await the prescription --------------------------------------------------------------------------------

def _claim_rx(session: Session, order: Order, now: datetime) -> bool:
    if order.rx_source == rx_gate.RxSource.UPLOAD:
        needs = rx_gate.rx_needs([rx_gate.RxLine(line.knowledge_key, line.product_name, line.quantity, line.rx)
                                  for line in order.lines])
        order.rx_claimed = rx_gate.claim_upload(session, upload_id=order.rx_ref, buyer_id=order.buyer_id,
                                                needs=needs, order_ref=order.order_no, now=now)
    return order.rx_claimed


def _hold_for_pharmacist(session: Session, order: Order, now: datetime) -> bool:
    """A paid order waiting for the pharmacist keeps its stock for as long as a review can still come, so
    it is not cancelled later for want of stock. A hold that was already swept is taken again now; if
    the stock is gone, the order is cancelled and refunded at once (False) rather than after the review."""
    until = now + PAID_RX_HOLD
    try:
        with session.begin_nested():
            inventory.extend_order(session, shipments=_stock_of(order), until=until, now=now)
    except Conflict as exc:
        _cancel(session, order, reason=f"配货失败：{exc.detail}", now=now)
        return False
    order.reserved_until = until
    return True


def _waiting_for_upload(session: Session, upload_id: int, *, unclaimed_only: bool) -> list[int]:
    """Ids of the open orders, before allocation, that were placed with this uploaded prescription."""
    query = select(Order.id).where(
        Order.rx_source == rx_gate.RxSource.UPLOAD.value, Order.rx_ref == upload_id,
        Order.status.in_([OrderStatus.AWAITING_PRESCRIPTION.value, OrderStatus.PENDING_PAYMENT.value]))
    if unclaimed_only:
        query = query.where(Order.rx_claimed.is_(False))
    return list(session.execute(query).scalars())


def on_rx_upload_approved(session: Session, *, upload_id: int, now: datetime) -> None:
    for order_id in _waiting_for_upload(session, upload_id, unclaimed_only=True):
        order = load_order(session, order_id=order_id, lock=True)
        try:
            with session.begin_nested():
                claimed = _claim_rx(session, order, now)
        except AppError as exc:
            _note(session, order, f"处方审核通过，但不能用于本订单：{exc.detail}", now)
            continue
        if not claimed:
            continue
        if order.status == OrderStatus.AWAITING_PRESCRIPTION:
            _allocate(session, order, now)
        else:
            _note(session, order, "处方已审核通过，支付后即可配货", now)


def on_rx_upload_rejected(session: Session, *, upload_id: int, reason: str, now: datetime) -> None:
    for order_id in _waiting_for_upload(session, upload_id, unclaimed_only=False):
        order = load_order(session, order_id=order_id, lock=True)
        _cancel(session, order, reason=f"处方审核未通过：{reason}", now=now)


# --- allocate ----------------------------------------------------------------------------------------------

def _allocate(session: Session, order: Order, now: datetime) -> None:
    """Sells the reserved stock of every shipment at once. A hold that lapsed while the order waited for the
    pharmacist (longer than PAID_RX_HOLD) is taken again; if the stock is gone by then, nothing is sold and
    the order is cancelled and refunded rather than left hanging."""
    try:
        with session.begin_nested():
            inventory.commit_order(session, shipments=_stock_of(order), now=now)
    except Conflict as exc:
        _cancel(session, order, reason=f"配货失败：{exc.detail}", now=now)
        return
    _transition(session, order, OrderEvent.ALLOCATE, "已支付，库存已锁定，等待发货", now)


# --- ship, deliver, complete -------------------------------------------------------------------------------

def _shipment_of(order: Order, shipment_id: int) -> Shipment:
    for shipment in order.shipments:
        if shipment.id == shipment_id:
            return shipment
    raise NotFound("包裹不存在 / shipment not found")


def dispatch_shipment(session: Session, *, order: Order, shipment_id: int, tracking_no: str, now: datetime) -> None:
    shipment = _shipment_of(order, shipment_id)
    if order.status not in (OrderStatus.ALLOCATED, OrderStatus.SHIPPED) or shipment.status != "pending":
        raise Conflict("只有已配货且未发出的包裹可以发货 / only an allocated, pending shipment can be dispatched",
                       code=ErrorCode.ILLEGAL_SHIPMENT_TRANSITION)
    shipment.status, shipment.dispatched_at, shipment.tracking_no = "dispatched", now, tracking_no.strip()[:40] or None
    if order.status == OrderStatus.ALLOCATED:
        _transition(session, order, OrderEvent.SHIP, f"包裹{shipment.seq}已由{shipment.location_name}发出", now)
    else:
        _note(session, order, f"包裹{shipment.seq}已由{shipment.location_name}发出", now)


def deliver_shipment(session: Session, *, order: Order, shipment_id: int, now: datetime) -> None:
    shipment = _shipment_of(order, shipment_id)
    if shipment.status != "dispatched":
        raise Conflict("包裹尚未发出，不能签收 / the shipment has not been dispatched", code=ErrorCode.ILLEGAL_SHIPMENT_TRANSITION)
    shipment.status, shipment.delivered_at = "delivered", now
    if all(s.status == "delivered" for s in order.shipments):
        _transition(session, order, OrderEvent.DELIVER, "全部包裹已送达", now)
    else:
        _note(session, order, f"包裹{shipment.seq}已送达", now)


def complete(session: Session, *, order: Order, now: datetime) -> None:
    _transition(session, order, OrderEvent.COMPLETE, "买家确认收货", now)


# --- the ways out: cancel, expire, refund ------------------------------------------------------------------

def _cancel(session: Session, order: Order, *, reason: str, now: datetime, event: OrderEvent = OrderEvent.CANCEL
            ) -> None:
    """Stock, prescription and money back before dispatch, whether the stock is held or already sold."""
    next_status(order.status, event)  # refuse before touching stock or money
    if any(s.status != "pending" for s in order.shipments):
        raise Conflict("已有包裹发出，请走退货退款 / a shipment has left; use return and refund",
                       code=ErrorCode.ALREADY_SHIPPED)
    payments.cancel_pending(session, payable_kind=PAYABLE_KIND, payable_id=order.id)
    inventory.release_order(session, order_refs=[s.reservation_ref for s in order.shipments], reason=reason, now=now)
    for shipment in order.shipments:
        shipment.status = "cancelled"
    if order.rx_claimed and order.rx_source:
        rx_gate.release(session, source=rx_gate.RxSource(order.rx_source), order_ref=order.order_no, now=now)
        order.rx_claimed = False
    payments.refund_all(session, payable_kind=PAYABLE_KIND, payable_id=order.id, reason=reason)
    _sync_money(session, order)
    order.cancel_reason = reason[:200]
    _transition(session, order, event, reason, now)


def cancel(session: Session, *, order: Order, reason: str, now: datetime) -> None:
    if not reason.strip():
        raise AppError("请填写取消原因 / give a reason", code=ErrorCode.REASON_REQUIRED, status=422)
    _cancel(session, order, reason=reason.strip(), now=now)


def expire_unpaid(session: Session, *, now: datetime) -> int:
    """Closes unpaid orders past their reservation time (the `orders.expire-unpaid` job)."""
    stale = list(session.execute(select(Order.id).where(Order.status == OrderStatus.PENDING_PAYMENT.value,
                                                        Order.reserved_until <= now)).scalars())
    for order_id in stale:
        order = load_order(session, order_id=order_id, lock=True)
        if order.status == OrderStatus.PENDING_PAYMENT:
            _cancel(session, order, reason="超时未支付，订单自动关闭", now=now, event=OrderEvent.EXPIRE)
    return len(stale)


def on_provider_refund(session: Session, *, payment_id: int, now: datetime) -> None:
    """The provider refunded on its own (e.g. from its merchant portal): an unfulfilled order stops."""
    payment = payments.get_payment(session, payment_id=payment_id)
    order = load_order(session, order_id=payment.payable_id, lock=True)
    _sync_money(session, order)
    if order.status in (OrderStatus.PENDING_PAYMENT, *PAID_NOT_SHIPPED):
        _cancel(session, order, reason="支付渠道已退款，订单取消 / refunded by the payment provider", now=now)
    else:
        _note(session, order, f"支付渠道退款 {payment.refunded_cents / 100:.2f} 元", now)


def refund_after_delivery(session: Session, *, order: Order, reason: str, now: datetime) -> None:
    """Goods came back: every unit returns to the batch it left and every cent goes back to the buyer."""
    if not reason.strip():
        raise AppError("请填写退款原因 / give a reason", code=ErrorCode.REASON_REQUIRED, status=422)
    next_status(order.status, OrderEvent.REFUND)
    inventory.release_order(session, order_refs=[s.reservation_ref for s in order.shipments], reason=reason, now=now)
    for shipment in order.shipments:
        shipment.status = "returned"
    payments.refund_all(session, payable_kind=PAYABLE_KIND, payable_id=order.id, reason=reason)
    _sync_money(session, order)
    _transition(session, order, OrderEvent.REFUND, f"退货退款：{reason}", now)
