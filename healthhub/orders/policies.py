"""Who may see and act on orders and uploaded prescriptions: pure decisions about the caller (no database).

An order or upload the caller may not see answers 404, like a missing one, so ids cannot be probed.
"""
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.orders.models import Order, RxUpload

ORDER_MANAGERS = frozenset({Role.OPERATOR, Role.ADMIN})  # ship, deliver, refund
ORDER_READERS = ORDER_MANAGERS | {Role.PHARMACIST}  # every order, not only their own purchases


def is_buyer(principal: Principal, order: Order) -> bool:
    return order.buyer_id == principal.id


def can_see_every_order(principal: Principal) -> bool:
    return principal.role in ORDER_READERS


def can_see_order(principal: Principal, order: Order) -> bool:
    return is_buyer(principal, order) or can_see_every_order(principal)


def can_manage_orders(principal: Principal) -> bool:
    return principal.role in ORDER_MANAGERS


def can_review_rx_uploads(principal: Principal) -> bool:
    """Pharmacists work the queue of uploaded paper prescriptions (RX-01, OD-02)."""
    return principal.role == Role.PHARMACIST


def can_upload_prescriptions(principal: Principal) -> bool:
    return principal.role == Role.PATIENT


def can_see_rx_upload(principal: Principal, upload: RxUpload) -> bool:
    """Its uploader and the pharmacists who review it."""
    return can_review_rx_uploads(principal) or upload.patient_id == principal.id
