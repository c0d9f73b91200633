"""The order lifecycle as a pure transition table: (state, event) -> next state.

Everything that changes an order's status goes through `next_status`, so an illegal move
(shipping an unpaid order, refunding twice) fails the same clear way wherever it is attempted.
"""
from enum import StrEnum

from healthhub.core.errors import Conflict
from healthhub.orders.errors import ErrorCode


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    AWAITING_PRESCRIPTION = "awaiting_prescription"
    ALLOCATED = "allocated"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


class OrderEvent(StrEnum):
    PAY = "pay"  # payment captured, prescription still missing
    ALLOCATE = "allocate"  # paid and (if needed) prescription claimed: stock committed
    SHIP = "ship"  # first shipment dispatched
    DELIVER = "deliver"  # every shipment delivered
    COMPLETE = "complete"  # buyer confirmed receipt
    CANCEL = "cancel"
    EXPIRE = "expire"  # unpaid past the reservation time
    REFUND = "refund"  # after delivery: goods returned, money back


S, E = OrderStatus, OrderEvent

TRANSITIONS: dict[tuple[OrderStatus, OrderEvent], OrderStatus] = {
    (S.PENDING_PAYMENT, E.PAY): S.AWAITING_PRESCRIPTION,
    (S.PENDING_PAYMENT, E.ALLOCATE): S.ALLOCATED,
    (S.PENDING_PAYMENT, E.CANCEL): S.CANCELLED,
    (S.PENDING_PAYMENT, E.EXPIRE): S.EXPIRED,
    (S.AWAITING_PRESCRIPTION, E.ALLOCATE): S.ALLOCATED,
    (S.AWAITING_PRESCRIPTION, E.CANCEL): S.CANCELLED,
    (S.ALLOCATED, E.SHIP): S.SHIPPED,
    (S.ALLOCATED, E.CANCEL): S.CANCELLED,
    (S.SHIPPED, E.DELIVER): S.DELIVERED,
    (S.DELIVERED, E.COMPLETE): S.COMPLETED,
    (S.DELIVERED, E.REFUND): S.REFUNDED,
    (S.COMPLETED, E.REFUND): S.REFUNDED,
}

STATUS_LABELS = {
    S.PENDING_PAYMENT: "待支付", S.AWAITING_PRESCRIPTION: "待处方审核", S.ALLOCATED: "待发货",
    S.SHIPPED: "配送中", S.DELIVERED: "已送达", S.COMPLETED: "已完成", S.CANCELLED: "已取消",
    S.EXPIRED: "已超时关闭", S.REFUNDED: "已退款",
}

EVENT_LABELS = {
    E.PAY: "支付", E.ALLOCATE: "配货", E.SHIP: "发货", E.DELIVER: "送达", E.COMPLETE: "确认收货",
    E.CANCEL: "取消", E.EXPIRE: "超时关闭", E.REFUND: "退货退款",
}

# States in which money was taken and goods not yet handed over: cancelling must refund.
PAID_NOT_SHIPPED = frozenset({S.AWAITING_PRESCRIPTION, S.ALLOCATED})
OPEN = frozenset({S.PENDING_PAYMENT, S.AWAITING_PRESCRIPTION, S.ALLOCATED, S.SHIPPED, S.DELIVERED})


def can(status: OrderStatus | str, event: OrderEvent) -> bool:
    return (OrderStatus(status), event) in TRANSITIONS


def next_status(status: OrderStatus | str, event: OrderEvent) -> OrderStatus:
    current = OrderStatus(status)
    target = TRANSITIONS.get((current, event))
    if target is None:
        allowed = "、".join(EVENT_LABELS[e] for (s, e) in TRANSITIONS if s == current) or "无"
        raise Conflict(f"订单当前为「{STATUS_LABELS[current]}」，不能执行「{EVENT_LABELS[event]}」（可执行：{allowed}）/ "
                       f"an order in state {current.value} cannot {event.value}",
                       code=ErrorCode.ILLEGAL_ORDER_TRANSITION, status_from=current.value, event=event.value)
    return target
