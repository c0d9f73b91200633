"""An abandoned checkout gives its stock to the next buyer once its reservation time is over, through the
whole checkout path (routing plan, then reserve), before any clean-up job has run."""
from datetime import timedelta

import pytest

from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict
from healthhub.orders import checkout, lifecycle
from healthhub.orders.checkout import OrderItem
from healthhub.orders.lifecycle import RESERVATION_TTL
from healthhub.orders.models import Order
from tests.inventory.builders import moves_referencing
from tests.orders import builders


def test_next_buyer_gets_the_stock_of_an_abandoned_checkout_after_expiry(db, shop):
    scarce = builders.make_product(db, name="维生素C泡腾片", price_cents=3500, rx=False, stock=[(shop.warehouse, 5)])
    rival, rival_address = builders.make_buyer(db, username="late_buyer")
    start = utcnow()
    abandoned = lifecycle.create_order(db, buyer_id=shop.buyer_id, address_id=shop.address_id, rx=None, now=start,
                                       items=[OrderItem(scarce, 5)])
    refs = [s.reservation_ref for s in abandoned.shipments]

    with pytest.raises(Conflict) as caught:  # still held: the first buyer may yet pay
        lifecycle.create_order(db, buyer_id=rival, address_id=rival_address, rx=None,
                               now=start + RESERVATION_TTL - timedelta(seconds=1), items=[OrderItem(scarce, 1)])
    assert caught.value.code == "out-of-stock"

    later = start + RESERVATION_TTL + timedelta(seconds=1)
    bought = lifecycle.create_order(db, buyer_id=rival, address_id=rival_address, rx=None, now=later,
                                    items=[OrderItem(scarce, 5)])
    assert bought.status == "pending_payment" and sum(line.quantity for line in bought.lines) == 5
    assert builders.on_hand(db, scarce, shop.warehouse) == 5 and builders.available(db, scarce, shop.warehouse) == 0
    assert moves_referencing(db, refs) == []

    # The clean-up job closes the abandoned order later without touching what the second buyer holds.
    assert lifecycle.expire_unpaid(db, now=later + timedelta(minutes=1)) == 1
    assert db.get(Order, abandoned.id).status == "expired"
    assert builders.available(db, scarce, shop.warehouse) == 0
    assert db.get(Order, bought.id).status == "pending_payment"


def test_checkout_preview_offers_stock_held_only_by_a_lapsed_checkout(db, shop):
    scarce = builders.make_product(db, name="维生素C泡腾片", price_cents=3500, rx=False, stock=[(shop.warehouse, 2)])
    start = utcnow()
    lifecycle.create_order(db, buyer_id=shop.buyer_id, address_id=shop.address_id, rx=None, now=start,
                           items=[OrderItem(scarce, 2)])
    address = builders.address_row(db, shop.buyer_id, shop.address_id)
    held = checkout.plan_checkout(db, items=[OrderItem(scarce, 2)], address=address, now=start)
    assert held.shipments == [] and [line.error.code for line in held.blocked] == ["out-of-stock"]
    plan = checkout.plan_checkout(db, items=[OrderItem(scarce, 2)], address=address,
                                  now=start + RESERVATION_TTL + timedelta(seconds=1))
    assert [s.location_id for s in plan.shipments] == [shop.warehouse]
