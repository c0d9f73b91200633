"""API shapes of the order domain. Money is integer cents everywhere."""
from datetime import date, datetime

from pydantic import BaseModel, Field

from healthhub.core.identity_numbers import mask_mobile
from healthhub.core.inputs import BodyId, Latitude, Longitude
from healthhub.core.public_ids import PublicId
from healthhub.orders.cart import MAX_QUANTITY, CartLine, CartView
from healthhub.orders.checkout import MAX_ORDER_LINES
from healthhub.orders.models import Order, RxUpload
from healthhub.orders.rx_gate import RxSource
from healthhub.orders.service import CHANNEL_LABELS
from healthhub.orders.statemachine import STATUS_LABELS, OrderStatus
from healthhub.orders.uploads import STATUS_LABELS as UPLOAD_LABELS
from healthhub.payments.schemas import PaymentOut
from healthhub.payments.views import PaymentView

Quantity = Field(ge=1, le=MAX_QUANTITY, description="件数 1–99")


class CartItemIn(BaseModel):
    product_id: BodyId
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)
    prescription_id: BodyId | None = Field(None, description="处方药：凭此张已审核的电子处方购买（结算时优先使用）")


class QuantityIn(BaseModel):
    quantity: int = Quantity


class CartLineOut(BaseModel):
    product_id: PublicId
    name: str
    spec: str
    rx: bool
    cold_chain: bool
    unit_price_cents: int
    quantity: int
    line_total_cents: int
    sellable: bool
    problem: str | None
    prescription_id: PublicId | None
    prescription_expires_at: datetime | None = Field(description="所附电子处方的失效时间 (RX-01) / when it expires")


class CartOut(BaseModel):
    rx_lines: list[CartLineOut]
    otc_lines: list[CartLineOut]
    subtotal_cents: int
    count: int
    prescription_id: PublicId | None = Field(description="结算时优先使用的电子处方 / the e-prescription checkout offers first")


def _line_out(line: CartLine) -> CartLineOut:
    return CartLineOut(product_id=line.product_id, name=line.name, spec=line.spec, rx=line.rx,
                       cold_chain=line.cold_chain, unit_price_cents=line.unit_price_cents, quantity=line.quantity,
                       line_total_cents=line.line_total_cents, sellable=line.sellable, problem=line.problem,
                       prescription_id=line.prescription_id, prescription_expires_at=line.prescription_expires_at)


def cart_out(view: CartView) -> CartOut:
    return CartOut(rx_lines=[_line_out(x) for x in view.rx_lines], otc_lines=[_line_out(x) for x in view.otc_lines],
                   subtotal_cents=view.subtotal_cents, count=sum(x.quantity for x in view.lines),
                   prescription_id=view.prescription_id)


class AddressIn(BaseModel):
    recipient: str = Field(min_length=1, max_length=32, description="收货人")
    mobile: str = Field(min_length=11, max_length=20)
    region: str = Field(min_length=2, max_length=64, description="省市区")
    detail: str = Field(min_length=2, max_length=200, description="详细地址")
    city_adcode: str = Field(pattern=r"^\d{6}$", description="区县或城市的6位行政区划代码")
    lat: Latitude | None = Field(None, description="省略时取该区县中心点")
    lng: Longitude | None = None
    is_default: bool = False


class AddressOut(BaseModel):
    id: PublicId
    recipient: str
    mobile_masked: str
    region: str
    detail: str
    city_adcode: str
    lat: float
    lng: float
    is_default: bool


class ItemIn(BaseModel):
    product_id: BodyId
    quantity: int = Quantity


class RxChoiceIn(BaseModel):
    source: RxSource = Field(description="eprescription（互联网医院电子处方）或 upload（上传的处方图片）")
    ref: BodyId = Field(description="电子处方 id 或处方图片 id")


class CheckoutIn(BaseModel):
    address_id: BodyId
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ORDER_LINES)


class OrderCreateIn(CheckoutIn):
    rx: RxChoiceIn | None = None
    rx_risk_acknowledged: bool = Field(False, description="含处方药时必须为 true：买家已阅读并确认处方药风险提示 (OD-03)")


class PlannedLineOut(BaseModel):
    product_id: PublicId
    name: str
    quantity: int


class PlannedShipmentOut(BaseModel):
    channel: str
    channel_label: str
    location_name: str
    promised_at: datetime
    eta_text: str
    reason_zh: str
    reason_en: str
    lines: list[PlannedLineOut]


class RxOptionOut(BaseModel):
    source: RxSource
    ref: PublicId
    label: str
    drugs: list[str]
    covers: bool = Field(description="是否覆盖本次结算的全部处方药及数量 / covers every Rx line")


class BlockedLineOut(BaseModel):
    product_id: PublicId
    name: str
    quantity: int
    reason: str = Field(description="该商品暂不能购买的原因；请删除后再下单 / why this line cannot be bought")


class CheckoutPreviewOut(BaseModel):
    lines: list[PlannedLineOut]
    shipments: list[PlannedShipmentOut]
    subtotal_cents: int
    total_cents: int
    rx_required: bool
    rx_drugs: list[str]
    rx_options: list[RxOptionOut]
    rx_preselected: RxOptionOut | None = Field(description="覆盖处方药的处方，结算页预选 / the covering one")
    blocked: list[BlockedLineOut] = Field(description="不能购买的商品及原因；其余商品照常结算")
    rx_risk_warning: str | None = Field(description="含处方药时须确认的风险提示 (OD-03) / to acknowledge when ordering")


class OrderLineOut(BaseModel):
    product_id: PublicId
    product_name: str
    spec: str
    rx: bool
    unit_price_cents: int
    quantity: int
    line_total_cents: int


class ShipmentOut(BaseModel):
    id: PublicId
    seq: int
    channel: str
    channel_label: str
    location_name: str
    promised_at: datetime
    eta_text: str
    reason_zh: str
    reason_en: str
    status: str
    tracking_no: str | None
    lines: list[OrderLineOut]


class StatusChangeOut(BaseModel):
    from_status: str | None
    to_status: str
    to_label: str
    note: str
    at: datetime


class OrderOut(BaseModel):
    id: PublicId
    order_no: str
    status: OrderStatus
    status_label: str
    subtotal_cents: int
    total_cents: int
    paid_cents: int
    refunded_cents: int
    recipient: str
    mobile_masked: str
    address: str
    requires_rx: bool
    rx_source: str | None
    rx_ref: PublicId | None
    rx_claimed: bool
    rx_risk_acknowledged_at: datetime | None
    reserved_until: datetime
    created_at: datetime
    cancel_reason: str | None
    shipments: list[ShipmentOut]
    history: list[StatusChangeOut]
    payments: list[PaymentOut]


class OrderSummaryOut(BaseModel):
    id: PublicId
    order_no: str
    status: OrderStatus
    status_label: str
    total_cents: int
    created_at: datetime
    requires_rx: bool


def order_out(order: Order, payments: list[PaymentView]) -> OrderOut:
    def lines_of(shipment_id: int) -> list[OrderLineOut]:
        return [OrderLineOut(product_id=x.product_id, product_name=x.product_name, spec=x.spec, rx=x.rx,
                             unit_price_cents=x.unit_price_cents, quantity=x.quantity,
                             line_total_cents=x.line_total_cents) for x in order.lines if x.shipment_id == shipment_id]

    to = order.ship_to
    return OrderOut(
        id=order.id, order_no=order.order_no, status=OrderStatus(order.status),
        status_label=STATUS_LABELS[OrderStatus(order.status)], subtotal_cents=order.subtotal_cents,
        total_cents=order.total_cents, paid_cents=order.paid_cents, refunded_cents=order.refunded_cents,
        recipient=order.recipient, mobile_masked=mask_mobile(order.recipient_mobile),
        address=f"{to['region']} {to['detail']}",
        requires_rx=order.requires_rx, rx_source=order.rx_source, rx_ref=order.rx_ref, rx_claimed=order.rx_claimed,
        rx_risk_acknowledged_at=order.rx_risk_acknowledged_at, reserved_until=order.reserved_until,
        created_at=order.created_at, cancel_reason=order.cancel_reason,
        shipments=[ShipmentOut(id=s.id, seq=s.seq, channel=s.channel, channel_label=CHANNEL_LABELS.get(s.channel,
                               s.channel), location_name=s.location_name, promised_at=s.promised_at,
                               eta_text=s.eta_text, reason_zh=s.reason_zh, reason_en=s.reason_en, status=s.status,
                               tracking_no=s.tracking_no, lines=lines_of(s.id)) for s in order.shipments],
        history=[StatusChangeOut(from_status=h.from_status, to_status=h.to_status,
                                 to_label=STATUS_LABELS[OrderStatus(h.to_status)], note=h.note, at=h.at)
                 for h in order.history],
        payments=[PaymentOut.model_validate(p) for p in payments])


def order_summary(order: Order) -> OrderSummaryOut:
    return OrderSummaryOut(id=order.id, order_no=order.order_no, status=OrderStatus(order.status),
                           status_label=STATUS_LABELS[OrderStatus(order.status)], total_cents=order.total_cents,
                           created_at=order.created_at, requires_rx=order.requires_rx)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class DispatchIn(BaseModel):
    tracking_no: str = Field("", max_length=40)


class RxUploadOut(BaseModel):
    id: PublicId
    status: str
    status_label: str
    content_type: str
    size_bytes: int
    issued_on: date | None
    valid_until: date | None
    review_note: str | None
    items: list[dict]
    created_at: datetime


def upload_out(upload: RxUpload) -> RxUploadOut:
    return RxUploadOut(id=upload.id, status=upload.status, status_label=UPLOAD_LABELS[upload.status],
                       content_type=upload.content_type, size_bytes=upload.size_bytes, issued_on=upload.issued_on,
                       valid_until=upload.valid_until, review_note=upload.review_note,
                       items=[{"knowledge_key": i.knowledge_key, "drug_name": i.drug_name, "quantity": i.quantity}
                              for i in upload.items], created_at=upload.created_at)


class RxItemIn(BaseModel):
    knowledge_key: str = Field(min_length=1, max_length=64)
    drug_name: str = Field(min_length=1, max_length=120)
    quantity: int = Quantity


class RxApproveIn(BaseModel):
    issued_on: date
    valid_until: date
    items: list[RxItemIn] = Field(min_length=1, max_length=5)
