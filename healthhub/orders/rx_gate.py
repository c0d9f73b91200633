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

from healthhub.core.dates import CHINA
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


def rx_needs(lines: list[RxLine]) -> list[RxNeed]:
    """Prescription-only quantities per drug. A prescription drug without a knowledge key cannot be
    matched against any prescription, so it is refused rather than waved through."""
    totals: dict[str, RxNeed] = {}
    for line in lines:
        if not line.rx:
            continue
        if not line.knowledge_key:
            raise RuleViolation(f"{line.name} 为处方药但缺少药品标识，无法核对处方 / {RX_REQUIRED}", code=ErrorCode.RX_UNMATCHABLE)
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
    covered: dict[str, int] = {}
    for key, _name, allowed in usable.lines:
        covered[key] = covered.get(key, 0) + allowed
    check_coverage(rx_needs([RxLine(knowledge_key, name, quantity, True)]), covered)


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


def options_for(session: Session, *, buyer_id: int, now: datetime) -> list[RxOption]:
    """What the buyer can attach at checkout: approved e-prescriptions and their own uploaded images."""
    found = [RxOption(RxSource.EPRESCRIPTION, rx.id, f"电子处方 {rx.number}（{rx.doctor_name}，有效至 {rx.valid_until}）",
                      [f"{name} ×{quantity}" for _key, name, quantity in rx.lines])
             for rx in prescriptions.list_usable_for_account(session, account_user_id=buyer_id, now=now)]
    for upload in uploads.open_uploads_of(session, patient_id=buyer_id, now=now):
        state = "待药师审核" if upload.status == uploads.PENDING else f"已审核，有效至 {upload.valid_until}"
        uploaded = upload.created_at.astimezone(CHINA)
        found.append(RxOption(RxSource.UPLOAD, upload.id, f"处方图片（{uploaded:%Y-%m-%d %H:%M} 上传，{state}）",
                              [f"{i.drug_name} ×{i.quantity}" for i in upload.items]))
    return found
