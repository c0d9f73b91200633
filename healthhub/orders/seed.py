"""Demo data for the shop: the demo patient's Beijing address and a few past orders in different states,
made through the real services (checkout, sandbox payment and its signed callback, shipping, refund)
so stock, money, audit and timelines agree. Runs after catalogue and inventory (ORDER 50)."""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.core.db import utcnow
from healthhub.core.errors import AppError
from healthhub.identity.service import get_user
from healthhub.orders import cart as carts
from healthhub.orders import checkout, lifecycle
from healthhub.orders.models import Address, Order
from healthhub.payments import service as payments
from healthhub.seed.context import SeedContext

ORDER = 50
DEMO_ADDRESS = {"region": "北京市 朝阳区", "detail": "建国路88号 SOHO现代城 2号楼1单元1203", "city_adcode": "110105",
                "lat": 39.9087, "lng": 116.4605}
PRODUCT_ID_SCAN = 400  # the small catalogue's ids; enough to find a few routable OTC products
# (final state, days ago) of the demo patient's order history
STORIES = (("completed", 12), ("refunded", 9), ("delivered", 4), ("shipped", 1), ("allocated", 0), ("cancelled", 2))


def _demo_address(session: Session, patient_id: int) -> Address:
    existing = carts.addresses_of(session, user_id=patient_id)
    if existing:
        return existing[0]
    user = get_user(session, user_id=patient_id)
    return carts.add_address(session, user_id=patient_id, data=carts.AddressInput(
        recipient=user.display_name.split("（")[0], mobile=user.mobile or "13800138000", is_default=True,
        **DEMO_ADDRESS))


def _routable_otc(session: Session, address: Address, now: datetime, wanted: int) -> list[int]:
    found = []
    for product_id in range(1, PRODUCT_ID_SCAN):
        try:
            view = catalog.get_product(session, product_id=product_id)
            if view.rx or not view.sellable_online or not view.price_cents:
                continue
            checkout.plan_checkout(session, items=[checkout.OrderItem(product_id, 2)], address=address, now=now)
        except AppError:
            continue
        found.append(product_id)
        if len(found) == wanted:
            break
    return found


def _pay(session: Session, order: Order, at: datetime) -> None:
    # The provider's callback is applied in-process: no server is listening while the seed runs.
    payment = lifecycle.start_payment(session, order=order, provider_name="sandbox")
    payments.pay_in_sandbox_in_process(session, payment_id=payment.id, at=at)


def _story(session: Session, order: Order, final: str, at: datetime) -> None:
    if final == "cancelled":
        lifecycle.cancel(session, order=order, reason="买家改变主意", now=at + timedelta(minutes=8))
        return
    _pay(session, order, at + timedelta(minutes=3))
    if final == "allocated":
        return
    for n, shipment in enumerate(order.shipments):
        lifecycle.dispatch_shipment(session, order=order, shipment_id=shipment.id, tracking_no=f"SF{order.id:06d}{n}",
                                    now=at + timedelta(hours=2))
    if final == "shipped":
        return
    for shipment in order.shipments:
        lifecycle.deliver_shipment(session, order=order, shipment_id=shipment.id, now=at + timedelta(hours=20))
    if final == "completed":
        lifecycle.complete(session, order=order, now=at + timedelta(days=1))
    elif final == "refunded":
        lifecycle.refund_after_delivery(session, order=order, reason="外包装破损，顾客退货", now=at + timedelta(days=2))


def seed(session: Session, ctx: SeedContext) -> None:
    patient_id = ctx.shared.get("users", {}).get("patient")
    if patient_id is None:
        return
    address = _demo_address(session, patient_id)
    if session.execute(select(Order.id).where(Order.buyer_id == patient_id).limit(1)).first():
        return
    rng = ctx.rng("orders")
    now = utcnow()
    products = _routable_otc(session, address, now, wanted=4)
    if not products:
        return  # no catalogue or no stock near Beijing: the shop starts without history
    for final, days_ago in STORIES:
        at = now - timedelta(days=days_ago, hours=rng.randint(1, 5), minutes=rng.randint(0, 59))
        picked = rng.sample(products, k=min(len(products), rng.randint(1, 2)))
        order = lifecycle.create_order(session, buyer_id=patient_id, address_id=address.id, rx=None, now=at,
                                       items=[checkout.OrderItem(p, rng.randint(1, 2)) for p in picked])
        _story(session, order, final, at)
    # Payments were applied above through the signed callback in-process; no server is listening yet.
    payments.keep_callbacks_in_outbox(session)
