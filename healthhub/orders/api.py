"""REST API of the shop: cart, addresses, checkout preview, orders and their lifecycle actions.

Money and stock writes (placing, paying, cancelling, refunding) require an Idempotency-Key:
a retry with the same key and body gets the stored answer, the same key with another body 409.
"""
from typing import Annotated

from fastapi import APIRouter, Depends

from healthhub.catalog.service import RX_RISK_WARNING
from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import Conflict
from healthhub.core.idempotency import IdempotencyKey, idempotent
from healthhub.core.inputs import ResourceId
from healthhub.core.pagination import Page, PageParams, page_params, paginate
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.orders import cart as carts
from healthhub.orders import checkout, lifecycle, rx_gate, service
from healthhub.orders.errors import ErrorCode
from healthhub.orders.models import Order
from healthhub.orders.policies import ORDER_MANAGERS, can_see_every_order
from healthhub.orders.rx_api import router as rx_router
from healthhub.orders.schemas import (AddressIn, AddressOut, BlockedLineOut, CartItemIn, CartOut, CheckoutIn, CheckoutPreviewOut,
                                      DispatchIn, OrderCreateIn, OrderOut, OrderSummaryOut, PlannedLineOut,
                                      PlannedShipmentOut, QuantityIn, ReasonIn, RxOptionOut, cart_out, order_out,
                                      order_summary)
from healthhub.orders.statemachine import OrderStatus
from healthhub.payments.schemas import PayIn, PaymentOut

router = APIRouter(prefix="/api/v1", tags=["orders"])
router.include_router(rx_router)

Buyer = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
Staff = Annotated[Principal, Depends(require_roles(*ORDER_MANAGERS))]
Viewer = Annotated[Principal, Depends(require_roles(Role.PATIENT, Role.OPERATOR, Role.ADMIN, Role.PHARMACIST))]
Canceller = Annotated[Principal, Depends(require_roles(Role.PATIENT, Role.OPERATOR, Role.ADMIN))]


def _order_view(db, order: Order) -> OrderOut:
    return order_out(order, service.order_payments(db, order_id=order.id))


def _order_json(db, order: Order) -> dict:
    return _order_view(db, order).model_dump(mode="json")


# --- cart ---------------------------------------------------------------------------------------------------

@router.get("/cart", response_model=CartOut, summary="My cart, Rx and OTC lines shown apart (OD-03)")
def get_cart(db: DbSession, buyer: Buyer) -> CartOut:
    return cart_out(carts.view_cart(db, user_id=buyer.id))


@router.post("/cart/items", response_model=CartOut, status_code=201,
             summary="Add a product to my cart (an Rx line may name the approved e-prescription it is bought with)")
def add_to_cart(body: CartItemIn, db: DbSession, buyer: Buyer) -> CartOut:
    carts.add_item(db, user_id=buyer.id, product_id=body.product_id, quantity=body.quantity,
                   prescription_id=body.prescription_id, now=utcnow())
    return cart_out(carts.view_cart(db, user_id=buyer.id))


@router.put("/cart/items/{product_id}", response_model=CartOut, summary="Set a cart line's quantity")
def set_cart_quantity(product_id: ResourceId, body: QuantityIn, db: DbSession, buyer: Buyer) -> CartOut:
    carts.set_quantity(db, user_id=buyer.id, product_id=product_id, quantity=body.quantity)
    return cart_out(carts.view_cart(db, user_id=buyer.id))


@router.delete("/cart/items/{product_id}", response_model=CartOut, summary="Remove a product from my cart")
def remove_from_cart(product_id: ResourceId, db: DbSession, buyer: Buyer) -> CartOut:
    carts.remove_item(db, user_id=buyer.id, product_id=product_id)
    return cart_out(carts.view_cart(db, user_id=buyer.id))


# --- addresses ----------------------------------------------------------------------------------------------

@router.get("/addresses", response_model=list[AddressOut])
def list_addresses(db: DbSession, buyer: Buyer) -> list[AddressOut]:
    return [AddressOut(**carts.address_out(a)) for a in carts.addresses_of(db, user_id=buyer.id)]


@router.post("/addresses", response_model=AddressOut, status_code=201)
def add_address(body: AddressIn, db: DbSession, buyer: Buyer) -> AddressOut:
    address = carts.add_address(db, user_id=buyer.id, data=carts.AddressInput(**body.model_dump()))
    return AddressOut(**carts.address_out(address))


# --- checkout and orders ------------------------------------------------------------------------------------

def _items(body: CheckoutIn) -> list[checkout.OrderItem]:
    return [checkout.OrderItem(i.product_id, i.quantity) for i in body.items]


def _option_out(option: rx_gate.RxOption) -> RxOptionOut:
    return RxOptionOut(source=option.source, ref=option.ref, label=option.label, drugs=option.drugs,
                       covers=option.covers)


@router.post("/checkout/preview", response_model=CheckoutPreviewOut,
             summary="Price, rules and the routing plan (channel, ETA, reason per shipment) without ordering; "
                     "lines that cannot be bought come back in `blocked` with the reason")
def preview(body: CheckoutIn, db: DbSession, buyer: Buyer) -> CheckoutPreviewOut:
    now = utcnow()
    address = carts.address_of(db, user_id=buyer.id, address_id=body.address_id)
    plan = checkout.plan_checkout(db, items=_items(body), address=address, now=now)
    names = {p.product_id: p.name for p in plan.lines.values()}
    options = rx_gate.options_for(db, buyer_id=buyer.id, needs=plan.needs, now=now) if plan.needs else []
    chosen = rx_gate.preselected(options,
                                 preferred_eprescription=carts.view_cart(db, user_id=buyer.id, now=now).prescription_id)
    return CheckoutPreviewOut(
        lines=[PlannedLineOut(product_id=p.product_id, name=p.name, quantity=p.quantity) for p in plan.lines.values()],
        shipments=[PlannedShipmentOut(
            channel=s.channel, channel_label=service.CHANNEL_LABELS.get(s.channel, s.channel),
            location_name=s.location_name, promised_at=s.promised_at, eta_text=s.eta_text, reason_zh=s.reason_zh,
            reason_en=s.reason_en, lines=[PlannedLineOut(product_id=x.product_id, name=names[x.product_id],
                                                         quantity=x.quantity) for x in s.lines])
            for s in plan.shipments],
        subtotal_cents=plan.subtotal_cents, total_cents=plan.subtotal_cents, rx_required=bool(plan.needs),
        rx_drugs=[f"{n.name} ×{n.quantity}" for n in plan.needs],
        rx_risk_warning=RX_RISK_WARNING if plan.needs else None, rx_options=[_option_out(o) for o in options],
        rx_preselected=chosen and _option_out(chosen),
        blocked=[BlockedLineOut(product_id=b.product_id, name=b.name, quantity=b.quantity, reason=b.reason)
                 for b in plan.blocked])


@router.post("/orders", response_model=OrderOut, status_code=201,
             summary="Place an order (Idempotency-Key required): reserves stock per planned shipment; Rx lines "
                     "need a prescription and rx_risk_acknowledged=true")
def create_order(body: OrderCreateIn, db: DbSession, buyer: Buyer, idempotency_key: IdempotencyKey):
    def run() -> tuple[int, dict]:
        rx = checkout.RxChoice(body.rx.source, body.rx.ref, body.rx_risk_acknowledged) if body.rx else None
        order = lifecycle.create_order(db, buyer_id=buyer.id, items=_items(body), address_id=body.address_id, rx=rx,
                                       now=utcnow())
        return 201, _order_json(db, service.load_order(db, order_id=order.id))

    return idempotent(db, scope="orders.create", owner=buyer.id, key=idempotency_key,
                      body=body.model_dump(mode="json"), run=run)


@router.get("/orders", response_model=Page[OrderSummaryOut], summary="My orders (staff: all orders)")
def list_orders(db: DbSession, viewer: Viewer, params: Annotated[PageParams, Depends(page_params)],
                status: OrderStatus | None = None) -> Page[OrderSummaryOut]:
    query = service.orders_query(buyer_id=None if can_see_every_order(viewer) else viewer.id, status=status)
    rows, total = paginate(db, query, params)
    return Page(items=[order_summary(o) for o in rows], total=total, page=params.page, size=params.size)


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: ResourceId, db: DbSession, viewer: Viewer) -> OrderOut:
    order = service.order_for(db, order_id=order_id, principal=viewer)
    return _order_view(db, order)


@router.post("/orders/{order_id}/payments", response_model=PaymentOut, status_code=201,
             summary="Start paying an order (Idempotency-Key required); follow redirect_url to the provider")
def pay_order(order_id: ResourceId, body: PayIn, db: DbSession, buyer: Buyer,
              idempotency_key: IdempotencyKey):
    def run() -> tuple[int, dict]:
        order = service.order_for(db, order_id=order_id, principal=buyer, lock=True)
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise Conflict("订单当前不需要支付 / the order is not awaiting payment", code=ErrorCode.NOT_PAYABLE)
        if order.reserved_until <= utcnow():
            raise Conflict("订单已超时，请重新下单 / the order timed out, please order again", code=ErrorCode.ORDER_TIMED_OUT)
        payment = lifecycle.start_payment(db, order=order, provider_name=body.provider)
        return 201, PaymentOut.model_validate(payment).model_dump(mode="json")

    return idempotent(db, scope=f"orders.pay:{order_id}", owner=buyer.id, key=idempotency_key,
                      body=body.model_dump(mode="json"), run=run)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut,
             summary="Cancel before dispatch: stock and money back (Idempotency-Key required)")
def cancel_order(order_id: ResourceId, body: ReasonIn, db: DbSession, viewer: Canceller,
                 idempotency_key: IdempotencyKey):
    def run() -> tuple[int, dict]:
        order = service.order_for(db, order_id=order_id, principal=viewer, lock=True)
        lifecycle.cancel(db, order=order, reason=body.reason, now=utcnow())
        return 200, _order_json(db, order)

    return idempotent(db, scope=f"orders.cancel:{order_id}", owner=viewer.id, key=idempotency_key,
                      body=body.model_dump(mode="json"), run=run)


@router.post("/orders/{order_id}/refund", response_model=OrderOut,
             summary="Return after delivery: stock back to its batches, full refund (Idempotency-Key required)")
def refund_order(order_id: ResourceId, body: ReasonIn, db: DbSession, staff: Staff, idempotency_key: IdempotencyKey):
    def run() -> tuple[int, dict]:
        order = service.order_for(db, order_id=order_id, principal=staff, lock=True)
        lifecycle.refund_after_delivery(db, order=order, reason=body.reason, now=utcnow())
        return 200, _order_json(db, order)

    return idempotent(db, scope=f"orders.refund:{order_id}", owner=staff.id, key=idempotency_key,
                      body=body.model_dump(mode="json"), run=run)


@router.post("/orders/{order_id}/complete", response_model=OrderOut, summary="Buyer confirms receipt")
def complete_order(order_id: ResourceId, db: DbSession, buyer: Buyer) -> OrderOut:
    order = service.order_for(db, order_id=order_id, principal=buyer, lock=True)
    lifecycle.complete(db, order=order, now=utcnow())
    return _order_view(db, order)


@router.post("/orders/{order_id}/shipments/{shipment_id}/dispatch", response_model=OrderOut)
def dispatch_shipment(order_id: ResourceId, shipment_id: ResourceId, body: DispatchIn, db: DbSession,
                      staff: Staff) -> OrderOut:
    order = service.order_for(db, order_id=order_id, principal=staff, lock=True)
    lifecycle.dispatch_shipment(db, order=order, shipment_id=shipment_id, tracking_no=body.tracking_no, now=utcnow())
    return _order_view(db, order)


@router.post("/orders/{order_id}/shipments/{shipment_id}/deliver", response_model=OrderOut)
def deliver_shipment(order_id: ResourceId, shipment_id: ResourceId, db: DbSession, staff: Staff) -> OrderOut:
    order = service.order_for(db, order_id=order_id, principal=staff, lock=True)
    lifecycle.deliver_shipment(db, order=order, shipment_id=shipment_id, now=utcnow())
    return _order_view(db, order)
