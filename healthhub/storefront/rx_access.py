"""Which approved prescription lets a shopper see a prescription drug's package insert and buy it
(OD-02/OD-03). Before a pharmacist approves the prescription the page stays as it is for everyone:
the warning, no insert, no indications, no buy button.

Asked of the prescriptions domain's service on every request, never cached: a prescription that is
used, expires or fails its signature check stops unlocking pages at once. Only the patient account
holding the prescription benefits (family members' prescriptions live under that account too).
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.catalog.schemas import ProductSummary
from healthhub.catalog.views import RxAccess, summary
from healthhub.core.errors import Forbidden, NotFound
from healthhub.identity.service import Principal
from healthhub.prescriptions import service as prescriptions
from healthhub.storefront.policies import can_buy_with_prescription


@dataclass(frozen=True)
class PrescribedDrug:
    knowledge_key: str
    name: str
    quantity: int
    products: list[ProductSummary]


@dataclass(frozen=True)
class PrescriptionOffer:
    """What /shop?prescription=ID shows: the prescription's drugs with the products to buy them as,
    or why the prescription cannot be used (then `drugs` is empty)."""

    prescription_id: int
    number: str
    valid_until: date | None
    problem: str | None
    drugs: list[PrescribedDrug]


def _usable(session: Session, principal: Principal | None, now: datetime) -> list[prescriptions.UsablePrescription]:
    if not can_buy_with_prescription(principal):
        return []
    return prescriptions.list_usable_for_account(session, account_user_id=principal.id, now=now)


def _allowed(rx: prescriptions.UsablePrescription, knowledge_key: str) -> int:
    return sum(quantity for key, _name, quantity in rx.lines if key == knowledge_key)


def access_for(session: Session, principal: Principal | None, *, knowledge_key: str | None,
               prescription_id: int | None, now: datetime) -> RxAccess | None:
    """The usable prescription covering the drug: the one named when it covers it, else the first."""
    if not knowledge_key:
        return None
    covering = [rx for rx in _usable(session, principal, now) if _allowed(rx, knowledge_key)]
    covering.sort(key=lambda rx: rx.id != prescription_id)
    if not covering:
        return None
    rx = covering[0]
    return RxAccess(rx.id, rx.number, _allowed(rx, knowledge_key))


def _why_not_usable(session: Session, principal: Principal | None, prescription_id: int, now: datetime) -> str:
    if not can_buy_with_prescription(principal):
        return "请使用就诊人账户登录后凭处方购药 / sign in as the patient to buy with a prescription"
    try:
        rx = prescriptions.get_for(session, principal=principal, prescription_id=prescription_id)
    except (NotFound, Forbidden):
        return "处方不存在或不属于当前账户 / prescription not found"
    if rx.status == "USED":
        return f"处方 {rx.number} 已用于订单，不能重复购药 (OD-02) / already used for an order"
    if rx.status == "EXPIRED" or (rx.status == "APPROVED" and rx.expires_at and rx.expires_at <= now):
        return f"处方 {rx.number} 已于 {rx.valid_until} 过期 (RX-01) / the prescription has expired"
    if rx.status == "APPROVED":
        return prescriptions.SIGNATURE_FAILED
    return (f"处方 {rx.number} 状态为「{rx.status_label}」，药师审核通过后方可购药 (IDT-08) / "
            "only a pharmacist-approved prescription can be used")


def prescription_offer(session: Session, principal: Principal | None, *, prescription_id: int,
                       now: datetime) -> PrescriptionOffer:
    rx = next((rx for rx in _usable(session, principal, now) if rx.id == prescription_id), None)
    if rx is None:
        return PrescriptionOffer(prescription_id, "", None, _why_not_usable(session, principal, prescription_id, now),
                                 [])
    products = catalog.sellable_products_by_key(session, knowledge_keys={key for key, _name, _quantity in rx.lines})
    drugs = [PrescribedDrug(key, name, _allowed(rx, key), [summary(p) for p in products.get(key, [])])
             for key, name in dict((key, name) for key, name, _quantity in rx.lines).items()]
    return PrescriptionOffer(rx.id, rx.number, rx.valid_until, None, drugs)
