"""The buyer's cart and address book.

The cart keeps only product ids and quantities: names, prices and Rx status are read from the
catalogue every time it is shown, and frozen onto the order lines only when the order is placed.
"""
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.core.db import utcnow
from healthhub.core.errors import AppError, NotFound, RuleViolation
from healthhub.core.identity_numbers import mask_mobile, normalize_mobile
from healthhub.core.public_ids import encode
from healthhub.orders import rx_gate
from healthhub.orders.errors import ErrorCode
from healthhub.orders.models import Address, CartItem
from healthhub.prescriptions import service as prescriptions
from healthhub.seed import places

MAX_QUANTITY = 99  # per line: pharmacy retail limit that also stops fat-finger orders
MAX_LINES = 30


@dataclass(frozen=True)
class CartLine:
    product_id: int
    name: str
    spec: str
    rx: bool
    cold_chain: bool
    knowledge_key: str | None
    unit_price_cents: int
    quantity: int
    sellable: bool
    problem: str | None
    prescription_id: int | None = None
    prescription_expires_at: datetime | None = None  # end of the e-prescription's validity (RX-01)

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass(frozen=True)
class CartView:
    lines: list[CartLine]

    @property
    def rx_lines(self) -> list[CartLine]:
        return [line for line in self.lines if line.rx]

    @property
    def otc_lines(self) -> list[CartLine]:
        return [line for line in self.lines if not line.rx]

    @property
    def subtotal_cents(self) -> int:
        return sum(line.line_total_cents for line in self.lines if line.sellable)

    @property
    def prescription_id(self) -> int | None:
        """The e-prescription checkout should offer first: the one every Rx line was added with, if any."""
        chosen = {line.prescription_id for line in self.rx_lines if line.sellable}
        return chosen.pop() if len(chosen) == 1 else None


def validate_quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise AppError(f"数量须在1–{MAX_QUANTITY}之间 / quantity must be between 1 and {MAX_QUANTITY}",
                       code=ErrorCode.INVALID_QUANTITY, status=422)
    return quantity


def spec_of(view) -> str:
    return " ".join(part for part in (view.dosage_form, view.strength, view.package) if part)


def sellable_view(session: Session, *, product_id: int):
    """The product if it may be sold online; RuleViolation (OD-01) for special-management or banned drugs."""
    view = catalog.get_product(session, product_id=product_id)
    catalog.ensure_sellable(view)  # also refuses inactive and unpriced products
    return view


def add_item(session: Session, *, user_id: int, product_id: int, quantity: int, prescription_id: int | None = None,
             now: datetime | None = None) -> CartItem:
    """`prescription_id`: the approved e-prescription an Rx line is bought with (ignored for OTC lines);
    checkout offers it first and the Rx gate claims it when the order is placed."""
    validate_quantity(quantity)
    view = sellable_view(session, product_id=product_id)
    item = session.execute(select(CartItem).where(CartItem.user_id == user_id, CartItem.product_id == product_id)
                           .with_for_update()).scalar_one_or_none()
    total = validate_quantity(quantity + (item.quantity if item else 0))
    if prescription_id is not None and view.rx:
        rx_gate.check_cart_prescription(session, prescription_id=prescription_id, buyer_id=user_id,
                                        knowledge_key=view.knowledge_key, name=view.name, quantity=total,
                                        now=now or utcnow())
    if item is None:
        count = session.execute(select(CartItem.id).where(CartItem.user_id == user_id)).all()
        if len(count) >= MAX_LINES:
            raise AppError(f"购物车最多 {MAX_LINES} 种商品 / the cart holds at most {MAX_LINES} products",
                           code=ErrorCode.CART_FULL, status=422)
        item = CartItem(user_id=user_id, product_id=product_id, quantity=quantity)
        session.add(item)
    else:
        item.quantity = total
    if prescription_id is not None and view.rx:
        item.prescription_id = prescription_id
    session.flush()
    return item


def set_quantity(session: Session, *, user_id: int, product_id: int, quantity: int) -> None:
    validate_quantity(quantity)
    changed = session.execute(update(CartItem).where(CartItem.user_id == user_id, CartItem.product_id == product_id)
                              .values(quantity=quantity)).rowcount
    if not changed:
        raise NotFound("购物车中没有该商品 / the product is not in the cart")


def remove_item(session: Session, *, user_id: int, product_id: int) -> None:
    session.execute(delete(CartItem).where(CartItem.user_id == user_id, CartItem.product_id == product_id))


def remove_ordered(session: Session, *, user_id: int, ordered: dict[int, int]) -> None:
    """After checkout: takes the ordered quantities out of the cart, leaving anything added meanwhile."""
    for item in session.execute(select(CartItem).where(CartItem.user_id == user_id,
                                                       CartItem.product_id.in_(ordered))).scalars():
        remaining = item.quantity - ordered[item.product_id]
        if remaining > 0:
            item.quantity = remaining
        else:
            session.delete(item)
    session.flush()


def view_cart(session: Session, *, user_id: int, now: datetime | None = None) -> CartView:
    """Every line with whether it can be bought now and, if not, why (shown on the line; the rest of the
    cart stays buyable). An Rx line keeps its e-prescription only while that is still usable."""
    items = list(session.execute(select(CartItem).where(CartItem.user_id == user_id).order_by(CartItem.id)).scalars())
    views = catalog.get_products(session, ids=[item.product_id for item in items])
    usable = ({rx.id: rx.expires_at for rx in prescriptions.list_usable_for_account(
        session, account_user_id=user_id, now=now or utcnow())} if any(item.prescription_id for item in items) else {})
    lines = []
    for item in items:
        view = views.get(item.product_id)
        if view is None:
            lines.append(CartLine(item.product_id, f"商品 {encode(item.product_id)}", "", False, False, None, 0,
                                  item.quantity, False, "商品已下架 / no longer available"))
            continue
        try:
            catalog.ensure_sellable(view)
            rx_gate.ensure_matchable(view.name, rx=bool(view.rx), knowledge_key=view.knowledge_key)
            problem = None
        except RuleViolation as exc:
            problem = exc.detail
        prescription_id = item.prescription_id if view.rx and item.prescription_id in usable else None
        lines.append(CartLine(view.id, view.name, spec_of(view), bool(view.rx), bool(view.cold_chain),
                              view.knowledge_key, view.price_cents or 0, item.quantity, problem is None, problem,
                              prescription_id, usable.get(prescription_id)))
    return CartView(lines)


# --- addresses ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AddressInput:
    recipient: str
    mobile: str
    region: str
    detail: str
    city_adcode: str
    lat: float | None = None  # None: the district's centre
    lng: float | None = None
    is_default: bool = False


def address_out(address: Address) -> dict:
    return {"id": address.id, "recipient": address.recipient, "mobile_masked": mask_mobile(address.mobile),
            "region": address.region, "detail": address.detail, "city_adcode": address.city_adcode,
            "lat": address.lat, "lng": address.lng, "is_default": address.is_default}


def add_address(session: Session, *, user_id: int, data: AddressInput) -> Address:
    try:
        mobile = normalize_mobile(data.mobile)
    except ValueError as exc:
        raise AppError(str(exc), code=ErrorCode.INVALID_MOBILE, status=422) from exc
    if not (len(data.city_adcode) == 6 and data.city_adcode.isdigit()):
        raise AppError("行政区划代码须为6位数字 / city_adcode must be 6 digits", code=ErrorCode.INVALID_ADCODE, status=422)
    if data.lat is None or data.lng is None:
        place = next((d for d in places.districts() + places.cities() if d.adcode == data.city_adcode), None)
        if place is None:
            raise AppError(f"未知的行政区划代码 {data.city_adcode} / unknown city_adcode", code=ErrorCode.INVALID_ADCODE,
                           status=422)
        data = replace(data, lat=place.lat, lng=place.lng)  # the district centre is close enough to route
    if not (3.0 <= data.lat <= 54.0 and 73.0 <= data.lng <= 136.0):
        raise AppError("坐标不在中国境内 / coordinates are outside China", code=ErrorCode.INVALID_COORDINATES, status=422)
    first = not session.execute(select(Address.id).where(Address.user_id == user_id)).first()
    if data.is_default or first:
        session.execute(update(Address).where(Address.user_id == user_id).values(is_default=False))
    address = Address(user_id=user_id, recipient=data.recipient.strip(), mobile=mobile, region=data.region.strip(),
                      detail=data.detail.strip(), city_adcode=data.city_adcode, lat=data.lat, lng=data.lng,
                      is_default=data.is_default or first)
    session.add(address)
    session.flush()
    return address


def addresses_of(session: Session, *, user_id: int) -> list[Address]:
    return list(session.execute(select(Address).where(Address.user_id == user_id)
                                .order_by(Address.is_default.desc(), Address.id)).scalars())


def address_of(session: Session, *, user_id: int, address_id: int) -> Address:
    address = session.get(Address, address_id)
    if address is None or address.user_id != user_id:
        raise NotFound("收货地址不存在 / delivery address not found")
    return address
