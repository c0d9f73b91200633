"""One gate for prescription-only lines (RX-01, OD-02), two sources behind it:

- an internet-hospital e-prescription (prescriptions.claim_for_order marks it USED), or
- a photo of a paper prescription that a pharmacist transcribed and approved (uploads.py).

Either way the prescription must belong to the buyer, cover every Rx drug (matched by knowledge
key) in at least the ordered quantity, be within its validity (issue day + up to 3 days) and be
used once. Claims are released when the order is cancelled before dispatch.
"""
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from healthhub.core.dates import format_local
from healthhub.core.errors import RuleViolation
from healthhub.orders import uploads
from healthhub.orders.errors import ErrorCode
from healthhub.prescriptions import service as prescriptions

RX_REQUIRED = "处方药需凭有效处方购买 (RX-01/OD-02) / prescription-only drugs need a valid prescription"


class RxSource(StrEnum):
    EPRESCRIPTION = "eprescription"
    UPLOAD = "upload"


@dataclass(frozen=True)
class RxNeed:
    knowledge_key: str
    name: str
    quantity: int


@dataclass(frozen=True)
class RxLine:
    knowledge_key: str | None
    name: str
    quantity: int
    rx: bool


def ensure_matchable(name: str, *, rx: bool, knowledge_key: str | None) -> None:
    """A prescription drug without a knowledge key cannot be matched against any prescription, so it is
    refused rather than waved through."""
    if rx and not knowledge_key:
        raise RuleViolation(f"{name} 为处方药但缺少药品标识，无法核对处方，暂不能购买 / {RX_REQUIRED}",
                            code=ErrorCode.RX_UNMATCHABLE)


def rx_needs(lines: list[RxLine]) -> list[RxNeed]:
    """Prescription-only quantities per drug (each line `ensure_matchable`)."""
    totals: dict[str, RxNeed] = {}
    for line in lines:
        if not line.rx:
            continue
        ensure_matchable(line.name, rx=line.rx, knowledge_key=line.knowledge_key)
        found = totals.get(line.knowledge_key)
        totals[line.knowledge_key] = RxNeed(line.knowledge_key, line.name, line.quantity + (found.quantity if found else 0))
    return list(totals.values())


def check_coverage(needs: list[RxNeed], covered: dict[str, int]) -> None:
    """Pure check: every needed drug is on the prescription in at least the needed quantity."""
    for need in needs:
        allowed = covered.get(need.knowledge_key)
        if allowed is None:
            raise RuleViolation(f"处方未包含 {need.name}。{RX_REQUIRED}", code=ErrorCode.RX_DRUG_NOT_COVERED)
        if need.quantity > allowed:
            raise RuleViolation(f"{need.name} 购买 {need.quantity} 件，超过处方数量 {allowed} / quantity exceeds the "
                                f"prescription", code=ErrorCode.RX_QUANTITY_EXCEEDED)


def require_source(needs: list[RxNeed], source: RxSource | None, ref: int | None) -> None:
    if needs and (source is None or ref is None):
        names = "、".join(n.name for n in needs)
        raise RuleViolation(f"{names}：{RX_REQUIRED}", code=ErrorCode.RX_REQUIRED)


def attach(session: Session, *, source: RxSource, ref: int, buyer_id: int, needs: list[RxNeed], order_ref: str,
           now: datetime) -> bool:
    """Claims the prescription for the order; False when an uploaded image still awaits the pharmacist
    (the order then waits before allocation). Raises RuleViolation when it can never be used."""
    if source is RxSource.EPRESCRIPTION:
        prescriptions.claim_for_order(session, prescription_id=ref, account_user_id=buyer_id,
                                      lines=[(n.knowledge_key, n.quantity) for n in needs], order_ref=order_ref, now=now)
        return True
    upload = uploads.usable_upload(session, upload_id=ref, patient_id=buyer_id, now=now)
    if upload.status == uploads.PENDING:
        return False
    return claim_upload(session, upload_id=ref, buyer_id=buyer_id, needs=needs, order_ref=order_ref, now=now)


def claim_upload(session: Session, *, upload_id: int, buyer_id: int, needs: list[RxNeed], order_ref: str,
                 now: datetime) -> bool:
    upload = uploads.usable_upload(session, upload_id=upload_id, patient_id=buyer_id, now=now, lock=True)
    if upload.status != uploads.APPROVED:
        return False
    check_coverage(needs, {item.knowledge_key: item.quantity for item in upload.items})
    uploads.mark_used(session, upload=upload, order_ref=order_ref)
    return True


def check_cart_prescription(session: Session, *, prescription_id: int, buyer_id: int, knowledge_key: str | None,
                            name: str, quantity: int, now: datetime) -> None:
    """An Rx line put in the cart for an e-prescription: the prescription must be the buyer's, approved,
    valid and unused, and cover the drug in that quantity. Advisory: the claim at checkout decides."""
    usable = next((rx for rx in prescriptions.list_usable_for_account(session, account_user_id=buyer_id, now=now)
                   if rx.id == prescription_id), None)
    if usable is None:
        raise RuleViolation("该处方不能用于购药：须为本账户药师审核通过、在有效期内且未使用的电子处方 / the prescription "
                            "must be yours, pharmacist-approved, valid and unused", code=ErrorCode.RX_NOT_USABLE)
    check_coverage(rx_needs([RxLine(knowledge_key, name, quantity, True)]), _eprescription_covered(usable))


def release(session: Session, *, source: RxSource, order_ref: str, now: datetime) -> None:
    if source is RxSource.EPRESCRIPTION:
        prescriptions.release_claim(session, order_ref=order_ref, now=now)
    else:
        uploads.release(session, order_ref=order_ref)


@dataclass(frozen=True)
class RxOption:
    source: RxSource
    ref: int
    label: str
    drugs: list[str]
    covers: bool  # covers every Rx line of this checkout in its quantity (a pending image: not known yet)


def _covers(needs: list[RxNeed], covered: dict[str, int]) -> bool:
    try:
        check_coverage(needs, covered)
    except RuleViolation:
        return False
    return True


def _eprescription_covered(rx: prescriptions.UsablePrescription) -> dict[str, int]:
    covered: dict[str, int] = {}
    for key, _name, allowed in rx.lines:
        covered[key] = covered.get(key, 0) + allowed
    return covered


def options_for(session: Session, *, buyer_id: int, needs: list[RxNeed], now: datetime) -> list[RxOption]:
    """What the buyer can attach at checkout: approved e-prescriptions and their own uploaded images, each
    saying whether it covers these Rx lines, with validity to the minute in the display time zone."""
    found = [RxOption(RxSource.EPRESCRIPTION, rx.id,
                      f"电子处方 {rx.number}（{rx.doctor_name}，有效至 {prescriptions.expiry_label(rx.expires_at)}）",
                      [f"{name} ×{quantity}" for _key, name, quantity in rx.lines],
                      _covers(needs, _eprescription_covered(rx)))
             for rx in prescriptions.list_usable_for_account(session, account_user_id=buyer_id, now=now)]
    for upload in uploads.open_uploads_of(session, patient_id=buyer_id, now=now):
        pending = upload.status == uploads.PENDING
        state = "待药师审核" if pending else f"已审核，有效至 {upload.valid_until} 23:59"
        found.append(RxOption(RxSource.UPLOAD, upload.id, f"处方图片（{format_local(upload.created_at)} 上传，{state}）",
                              [f"{i.drug_name} ×{i.quantity}" for i in upload.items],
                              not pending and _covers(needs, {i.knowledge_key: i.quantity for i in upload.items})))
    return found


def preselected(options: list[RxOption], *, preferred_eprescription: int | None) -> RxOption | None:
    """The option checkout selects for the buyer: the e-prescription the cart's Rx lines were added with
    when it covers them, else the first that covers them; never one that does not (the buyer chooses)."""
    covering = [option for option in options if option.covers]
    return next((o for o in covering if o.source is RxSource.EPRESCRIPTION and o.ref == preferred_eprescription),
                covering[0] if covering else None)
