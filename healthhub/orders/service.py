"""The order lifecycle after checkout: payment captured -> (prescription) -> allocation -> shipments ->
delivered -> completed, and the cancel / expiry / refund paths that give stock and money back exactly.

Every status change goes through `statemachine.next_status` and leaves a timeline entry and an
audit record. Money figures on the order mirror its payments (`_sync_money`).
"""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from healthhub.core import audit
from healthhub.core.errors import AppError, Conflict, NotFound
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.inventory import service as inventory
from healthhub.inventory.schemas import ReserveLine
from healthhub.orders import rx_gate
from healthhub.orders.models import Order, OrderStatusChange, Payment
from healthhub.orders.payments import service as payments
from healthhub.orders.statemachine import PAID_NOT_SHIPPED, OrderEvent, OrderStatus, next_status

STAFF_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.PHARMACIST})
CHANNEL_LABELS = {"instant": "即时达 · 合作药房", "warehouse": "自营仓配送", "merchant": "第三方商家发货"}
# A paid order waiting for the pharmacist keeps its stock this long: a prescription is valid for at most
# three days (RX-01), so no approval that could still apply to the order comes later.
PAID_RX_HOLD = timedelta(days=3)
SHIPMENT_LABELS = {"pending": "待发货", "dispatched": "配送中", "delivered": "已送达", "cancelled": "已取消",
                   "returned": "已退回"}


def load_order(session: Session, *, order_id: int, lock: bool = False) -> Order:
    query = select(Order).where(Order.id == order_id).options(selectinload(Order.lines), selectinload(Order.shipments),
                                                               selectinload(Order.history))
    if lock:
        query = query.with_for_update()
    order = session.execute(query).scalar_one_or_none()
    if order is None:
        raise NotFound("订单不存在 / order not found")
    return order


def order_for(session: Session, *, order_id: int, principal: Principal, lock: bool = False) -> Order:
    """The order if the caller may see it: its buyer, or staff. Others get 404, not a hint that it exists."""
    order = load_order(session, order_id=order_id, lock=lock)
    if order.buyer_id != principal.id and principal.role not in STAFF_ROLES:
        raise NotFound("订单不存在 / order not found")
    return order


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
    held = payments.payments_of(session, order_id=order.id)
    order.paid_cents = sum(p.captured_cents for p in held)
    order.refunded_cents = sum(p.refunded_cents for p in held)


def _rx_lines(order: Order) -> list[rx_gate.RxNeed]:
    return rx_gate.rx_needs([rx_gate.RxLine(line.knowledge_key, line.product_name, line.quantity, line.rx)
                             for line in order.lines])


# --- money in ----------------------------------------------------------------------------------------------

def on_payment_captured(session: Session, *, payment_id: int, now: datetime) -> None:
    payment = session.get(Payment, payment_id)
    order = load_order(session, order_id=payment.order_id, lock=True)
    others_hold = any(p.id != payment.id and p.captured_cents > p.refunded_cents
                      for p in payments.payments_of(session, order_id=order.id))
    accepts = (order.status == OrderStatus.PENDING_PAYMENT and not others_hold
               and payment.captured_cents == order.total_cents)
    if not accepts:
        # Paid after cancellation or expiry, paid twice, or a wrong amount: the money goes straight back.
        reason = "订单已关闭或已支付，自动退款 / order closed or already paid: automatic refund"
        payments.refund(session, payment=payment, amount_cents=payment.captured_cents - payment.refunded_cents,
                        reason=reason)
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


def _claim_rx(session: Session, order: Order, now: datetime) -> bool:
    if order.rx_source == rx_gate.RxSource.UPLOAD:
        order.rx_claimed = rx_gate.claim_upload(session, upload_id=order.rx_ref, buyer_id=order.buyer_id,
                                                needs=_rx_lines(order), order_ref=order.order_no, now=now)
    return order.rx_claimed


def _shipment_lines(order: Order, shipment) -> list[ReserveLine]:
    return [ReserveLine(line.product_id, shipment.location_id, line.quantity)
            for line in order.lines if line.shipment_id == shipment.id]


def _hold_for_pharmacist(session: Session, order: Order, now: datetime) -> bool:
    """A paid order waiting for the pharmacist keeps its stock for as long as a review can still come, so
    it is not cancelled later for want of stock. A hold that was already swept is taken again now; if
    the stock is gone, the order is cancelled and refunded at once (False) rather than after the review."""
    until = now + PAID_RX_HOLD
    for shipment in order.shipments:
        try:
            with session.begin_nested():
                if not inventory.extend_reservation(session, order_ref=shipment.reservation_ref, until=until):
                    inventory.reserve(session, order_ref=shipment.reservation_ref, ttl=PAID_RX_HOLD, now=now,
                                      lines=_shipment_lines(order, shipment))
        except Conflict as exc:
            _cancel(session, order, reason=f"配货失败：{exc.detail}", now=now)
            return False
    order.reserved_until = until
    return True


def _allocate(session: Session, order: Order, now: datetime) -> None:
    """Sells the reserved stock. A hold that lapsed while the order waited for the pharmacist (longer than
    PAID_RX_HOLD) is taken again; if the stock is gone by then, the order is cancelled and refunded
    rather than left hanging."""
    for shipment in order.shipments:
        try:
            with session.begin_nested():
                _commit_shipment(session, order, shipment, now)
        except Conflict as exc:
            _cancel(session, order, reason=f"配货失败：{exc.detail}", now=now)
            return
    _transition(session, order, OrderEvent.ALLOCATE, "已支付，库存已锁定，等待发货", now)


def _commit_shipment(session: Session, order: Order, shipment, now: datetime) -> None:
    try:
        with session.begin_nested():
            inventory.commit_reservation(session, order_ref=shipment.reservation_ref, now=now)
            return
    except Conflict as exc:
        if exc.code != "reservation-not-held":
            raise
    # Held only for the instant before the commit below, so the length hardly matters.
    inventory.reserve(session, order_ref=shipment.reservation_ref, lines=_shipment_lines(order, shipment),
                      ttl=timedelta(minutes=5), now=now)
    inventory.commit_reservation(session, order_ref=shipment.reservation_ref, now=now)


def on_rx_upload_approved(session: Session, *, upload_id: int, now: datetime) -> None:
    waiting = session.execute(select(Order.id).where(
        Order.rx_source == rx_gate.RxSource.UPLOAD.value, Order.rx_ref == upload_id, Order.rx_claimed.is_(False),
        Order.status.in_([OrderStatus.AWAITING_PRESCRIPTION.value, OrderStatus.PENDING_PAYMENT.value]))).scalars()
    for order_id in list(waiting):
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
    waiting = session.execute(select(Order.id).where(
        Order.rx_source == rx_gate.RxSource.UPLOAD.value, Order.rx_ref == upload_id,
        Order.status.in_([OrderStatus.AWAITING_PRESCRIPTION.value, OrderStatus.PENDING_PAYMENT.value]))).scalars()
    for order_id in list(waiting):
        order = load_order(session, order_id=order_id, lock=True)
        _cancel(session, order, reason=f"处方审核未通过：{reason}", now=now)


def on_provider_refund(session: Session, *, payment_id: int, now: datetime) -> None:
    """The provider refunded on its own (e.g. from its merchant portal): an unfulfilled order stops."""
    payment = session.get(Payment, payment_id)
    order = load_order(session, order_id=payment.order_id, lock=True)
    _sync_money(session, order)
    if order.status in (OrderStatus.PENDING_PAYMENT, *PAID_NOT_SHIPPED):
        _cancel(session, order, reason="支付渠道已退款，订单取消 / refunded by the payment provider", now=now)
    else:
        _note(session, order, f"支付渠道退款 {payment.refunded_cents / 100:.2f} 元", now)


# --- fulfilment --------------------------------------------------------------------------------------------

def _shipment_of(order: Order, shipment_id: int):
    for shipment in order.shipments:
        if shipment.id == shipment_id:
            return shipment
    raise NotFound("包裹不存在 / shipment not found")


def dispatch_shipment(session: Session, *, order: Order, shipment_id: int, tracking_no: str, now: datetime) -> None:
    shipment = _shipment_of(order, shipment_id)
    if order.status not in (OrderStatus.ALLOCATED, OrderStatus.SHIPPED) or shipment.status != "pending":
        raise Conflict("只有已配货且未发出的包裹可以发货 / only an allocated, pending shipment can be dispatched",
                       code="illegal-shipment-transition")
    shipment.status, shipment.dispatched_at, shipment.tracking_no = "dispatched", now, tracking_no.strip()[:40] or None
    if order.status == OrderStatus.ALLOCATED:
        _transition(session, order, OrderEvent.SHIP, f"包裹{shipment.seq}已由{shipment.location_name}发出", now)
    else:
        _note(session, order, f"包裹{shipment.seq}已由{shipment.location_name}发出", now)


def deliver_shipment(session: Session, *, order: Order, shipment_id: int, now: datetime) -> None:
    shipment = _shipment_of(order, shipment_id)
    if shipment.status != "dispatched":
        raise Conflict("包裹尚未发出，不能签收 / the shipment has not been dispatched", code="illegal-shipment-transition")
    shipment.status, shipment.delivered_at = "delivered", now
    if all(s.status == "delivered" for s in order.shipments):
        _transition(session, order, OrderEvent.DELIVER, "全部包裹已送达", now)
    else:
        _note(session, order, f"包裹{shipment.seq}已送达", now)


def complete(session: Session, *, order: Order, now: datetime) -> None:
    _transition(session, order, OrderEvent.COMPLETE, "买家确认收货", now)


# --- money and stock back ----------------------------------------------------------------------------------

def _cancel(session: Session, order: Order, *, reason: str, now: datetime, event: OrderEvent = OrderEvent.CANCEL
            ) -> None:
    next_status(order.status, event)  # refuse before touching stock or money
    if any(s.status != "pending" for s in order.shipments):
        raise Conflict("已有包裹发出，请走退货退款 / a shipment has left; use return and refund",
                       code="already-shipped")
    payments.cancel_pending(session, order_id=order.id)
    for shipment in order.shipments:
        inventory.release_reservation(session, order_ref=shipment.reservation_ref, reason=reason, now=now)
        inventory.return_stock(session, order_ref=shipment.reservation_ref, lines=None, reason=reason, now=now)
        shipment.status = "cancelled"
    if order.rx_claimed and order.rx_source:
        rx_gate.release(session, source=rx_gate.RxSource(order.rx_source), order_ref=order.order_no, now=now)
        order.rx_claimed = False
    payments.refund_all(session, order_id=order.id, reason=reason)
    _sync_money(session, order)
    order.cancel_reason = reason[:200]
    _transition(session, order, event, reason, now)


def cancel(session: Session, *, order: Order, reason: str, now: datetime) -> None:
    if not reason.strip():
        raise AppError("请填写取消原因 / give a reason", code="reason-required", status=422)
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


def refund_after_delivery(session: Session, *, order: Order, reason: str, now: datetime) -> None:
    """Goods came back: every unit returns to the batch it left and every cent goes back to the buyer."""
    if not reason.strip():
        raise AppError("请填写退款原因 / give a reason", code="reason-required", status=422)
    next_status(order.status, OrderEvent.REFUND)
    for shipment in order.shipments:
        inventory.return_stock(session, order_ref=shipment.reservation_ref, lines=None, reason=reason, now=now)
        shipment.status = "returned"
    payments.refund_all(session, order_id=order.id, reason=reason)
    _sync_money(session, order)
    _transition(session, order, OrderEvent.REFUND, f"退货退款：{reason}", now)


def orders_using_upload(session: Session, *, upload_id: int) -> list[Order]:
    return list(session.execute(select(Order).where(Order.rx_source == rx_gate.RxSource.UPLOAD.value,
                                                    Order.rx_ref == upload_id).order_by(Order.id)
                                .options(selectinload(Order.lines))).scalars())
