"""Shop pages: cart, checkout, my orders and tracking, the pharmacist's review of uploaded prescriptions and
the operator's order desk. Data-changing buttons call the API through HH.api (static/orders.js); paying
happens on the provider's page (payments/pages.py for the sandbox)."""
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from healthhub.catalog import service as catalog
from healthhub.catalog.service import RX_RISK_WARNING
from healthhub.catalog.views import summary
from healthhub.core.dates import local_today
from healthhub.core.db import DbSession, utcnow
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.public_ids import encode
from healthhub.core.navigation import add_menu
from healthhub.core.pagination import PageParams, page_params, paginate
from healthhub.core.templating import render
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.orders import cart as carts
from healthhub.orders import service, uploads
from healthhub.orders.models import RxUpload
from healthhub.orders.policies import ORDER_MANAGERS, can_manage_orders, is_buyer
from healthhub.orders.schemas import cart_out, order_out
from healthhub.orders.statemachine import STATUS_LABELS, OrderStatus
from healthhub.payments.service import STATUS_LABELS as PAYMENT_LABELS
from healthhub.prescriptions import service as prescriptions

router = APIRouter(include_in_schema=False)


add_menu("购物车", "/cart", {Role.PATIENT}, order=30)
add_menu("我的订单", "/orders", {Role.PATIENT}, order=31)
add_menu("我的处方图片", "/rx-uploads", {Role.PATIENT}, order=32)
add_menu("处方图片审核", "/pharmacist/rx-uploads", {Role.PHARMACIST}, order=35)
add_menu("订单管理", "/admin/orders", {Role.OPERATOR, Role.ADMIN}, order=40)

Buyer = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
Staff = Annotated[Principal, Depends(require_roles(*ORDER_MANAGERS))]
Viewer = Annotated[Principal, Depends(require_roles(Role.PATIENT, Role.OPERATOR, Role.ADMIN, Role.PHARMACIST))]
Pharmacist = Annotated[Principal, Depends(require_roles(Role.PHARMACIST))]


@router.get("/cart")
def cart_page(request: Request, db: DbSession, buyer: Buyer):
    return render(request, "orders/cart.html", {"cart": cart_out(carts.view_cart(db, user_id=buyer.id)),
                                                 "expiry_label": prescriptions.expiry_label})


@router.get("/checkout")
def checkout_page(request: Request, db: DbSession, buyer: Buyer):
    view = carts.view_cart(db, user_id=buyer.id)
    addresses = [carts.address_out(a) for a in carts.addresses_of(db, user_id=buyer.id)]
    items = [{"product_id": encode(x.product_id), "quantity": x.quantity} for x in view.lines if x.sellable]
    return render(request, "orders/checkout.html", {"cart": cart_out(view), "addresses": addresses, "items": items,
                                                     "blocked": [x for x in view.lines if not x.sellable],
                                                     "risk_warning": RX_RISK_WARNING})


def _order_list(request: Request, db, params: PageParams, *, buyer_id: int | None, status: str | None, template: str):
    chosen = OrderStatus(status) if status in {s.value for s in OrderStatus} else None
    rows, total = paginate(db, service.orders_query(buyer_id=buyer_id, status=chosen), params)
    return render(request, template, {"orders": rows, "total": total, "params": params, "status": status or "",
                                      "pages": max(1, -(-total // params.size)), "labels": STATUS_LABELS,
                                      "statuses": list(OrderStatus)})


@router.get("/orders")
def my_orders(request: Request, db: DbSession, buyer: Buyer, params: Annotated[PageParams, Depends(page_params)],
              status: str | None = None):
    return _order_list(request, db, params, buyer_id=buyer.id, status=status, template="orders/order_list.html")


@router.get("/admin/orders")
def all_orders(request: Request, db: DbSession, _staff: Staff, params: Annotated[PageParams, Depends(page_params)],
               status: str | None = None):
    return _order_list(request, db, params, buyer_id=None, status=status, template="orders/admin_orders.html")


@router.get("/orders/{order_id}")
def order_page(order_id: ResourceId, request: Request, db: DbSession, viewer: Viewer):
    order = service.order_for(db, order_id=order_id, principal=viewer)
    view = order_out(order, service.order_payments(db, order_id=order.id))
    return render(request, "orders/order_detail.html", {
        "order": view, "is_buyer": is_buyer(viewer, order),
        "is_staff": can_manage_orders(viewer),
        "paying": any(p.status == "pending" for p in view.payments),
        "shipment_labels": service.SHIPMENT_LABELS, "payment_labels": PAYMENT_LABELS})


# --- patient: uploaded prescriptions ------------------------------------------------------------------------

@router.get("/rx-uploads")
def my_uploads(request: Request, db: DbSession, buyer: Buyer, params: Annotated[PageParams, Depends(page_params)],
               product: QueryId | None = None):
    """Upload a paper prescription (from an Rx product's page, `product` names the drug it is for) and, once
    the pharmacist approves it, buy its drugs: the buy buttons appear only then (OD-03)."""
    now = utcnow()
    rows, total = paginate(db, select(RxUpload).where(RxUpload.patient_id == buyer.id).order_by(RxUpload.id.desc()),
                           params)
    buyable = {upload.id for upload in uploads.open_uploads_of(db, patient_id=buyer.id, now=now)
               if upload.status == uploads.APPROVED}
    offered = catalog.sellable_products_by_key(db, knowledge_keys={item.knowledge_key for upload in rows
                                                                   if upload.id in buyable for item in upload.items})
    return render(request, "orders/rx_uploads.html", {
        "uploads": rows, "total": total, "params": params, "pages": max(1, -(-total // params.size)),
        "labels": uploads.STATUS_LABELS, "buyable": buyable,
        "products": {key: [summary(p) for p in found] for key, found in offered.items()},
        "product": catalog.get_products(db, ids=[product]).get(product) if product else None})


# --- pharmacist: uploaded prescriptions ----------------------------------------------------------------------

@router.get("/pharmacist/rx-uploads")
def review_queue(request: Request, db: DbSession, _pharmacist: Pharmacist,
                 params: Annotated[PageParams, Depends(page_params)], status: str = uploads.PENDING):
    status = status if status in uploads.STATUS_LABELS else uploads.PENDING
    rows, total = paginate(db, select(RxUpload).where(RxUpload.status == status).order_by(RxUpload.id), params)
    return render(request, "orders/rx_queue.html", {"uploads": rows, "total": total, "params": params,
                                                    "pages": max(1, -(-total // params.size)), "status": status,
                                                    "labels": uploads.STATUS_LABELS})


@router.get("/pharmacist/rx-uploads/{upload_id}")
def review_upload(upload_id: ResourceId, request: Request, db: DbSession, _pharmacist: Pharmacist):
    upload = uploads.get_upload(db, upload_id=upload_id)
    waiting = service.orders_using_upload(db, upload_id=upload_id)
    wanted = {}
    for order in waiting:
        for line in order.lines:
            if line.rx and line.knowledge_key:
                found = wanted.setdefault(line.knowledge_key, {"knowledge_key": line.knowledge_key,
                                                               "drug_name": line.product_name, "quantity": 0})
                found["quantity"] += line.quantity
    today = local_today()
    return render(request, "orders/rx_review.html", {"upload": upload, "orders": waiting, "today": today,
                                                     "prefill": list(wanted.values()),
                                                     "labels": uploads.STATUS_LABELS})
