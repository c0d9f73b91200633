"""The order lifecycle table: legal paths reach the right state, illegal ones fail clearly."""
import pytest

from healthhub.core.errors import Conflict
from healthhub.orders.statemachine import OPEN, TRANSITIONS, OrderEvent, OrderStatus, can, next_status

S, E = OrderStatus, OrderEvent


def walk(*events: OrderEvent) -> OrderStatus:
    status = S.PENDING_PAYMENT
    for event in events:
        status = next_status(status, event)
    return status


def test_otc_happy_path_ends_completed():
    assert walk(E.ALLOCATE, E.SHIP, E.DELIVER, E.COMPLETE) is S.COMPLETED


def test_rx_order_waits_for_prescription_before_allocation():
    assert walk(E.PAY) is S.AWAITING_PRESCRIPTION
    assert walk(E.PAY, E.ALLOCATE) is S.ALLOCATED
    assert not can(S.AWAITING_PRESCRIPTION, E.SHIP)


def test_refund_only_after_delivery_and_only_once():
    assert walk(E.ALLOCATE, E.SHIP, E.DELIVER, E.REFUND) is S.REFUNDED
    with pytest.raises(Conflict) as caught:
        walk(E.ALLOCATE, E.SHIP, E.DELIVER, E.REFUND, E.REFUND)
    assert caught.value.code == "illegal-order-transition"


def test_cannot_cancel_after_shipping_and_message_names_the_state():
    with pytest.raises(Conflict) as caught:
        walk(E.ALLOCATE, E.SHIP, E.CANCEL)
    assert "配送中" in caught.value.detail and "取消" in caught.value.detail
    assert caught.value.extra == {"status_from": "shipped", "event": "cancel"}


def test_terminal_states_accept_nothing():
    terminal = [s for s in S if s not in OPEN and s is not S.COMPLETED]
    for status in terminal:
        assert not any(can(status, e) for e in E), status


def test_every_state_is_reachable_from_pending_payment():
    reachable, frontier = {S.PENDING_PAYMENT}, [S.PENDING_PAYMENT]
    while frontier:
        current = frontier.pop()
        for (source, _event), target in TRANSITIONS.items():
            if source is current and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(S)
