"""Reading orders: one order (for its buyer or staff), lists, the payments of an order, the orders placed with
an uploaded prescription. Everything that changes an order is in `lifecycle.py`."""
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from healthhub.core.errors import NotFound
from healthhub.identity.service import Principal
from healthhub.orders.models import Order
from healthhub.orders.policies import can_see_order
from healthhub.orders.rx_gate import RxSource
from healthhub.orders.statemachine import OrderStatus
from healthhub.payments import service as payments
from healthhub.payments.views import PaymentView

PAYABLE_KIND = "order"  # how the payments domain names an order
CHANNEL_LABELS = {"instant": "即时达 · 合作药房", "warehouse": "自营仓配送", "merchant": "第三方商家发货"}
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
    if not can_see_order(principal, order):
        raise NotFound("订单不存在 / order not found")
    return order


def orders_query(*, buyer_id: int | None, status: OrderStatus | None) -> Select:
    """Newest first: one buyer's orders, or everyone's (`buyer_id=None`), optionally of one status."""
    query = select(Order).order_by(Order.id.desc())
    if buyer_id is not None:
        query = query.where(Order.buyer_id == buyer_id)
    if status is not None:
        query = query.where(Order.status == status.value)
    return query


def order_payments(session: Session, *, order_id: int) -> list[PaymentView]:
    return payments.payments_of(session, payable_kind=PAYABLE_KIND, payable_id=order_id)


def orders_using_upload(session: Session, *, upload_id: int) -> list[Order]:
    return list(session.execute(select(Order).where(Order.rx_source == RxSource.UPLOAD.value,
                                                    Order.rx_ref == upload_id).order_by(Order.id)
                                .options(selectinload(Order.lines))).scalars())
