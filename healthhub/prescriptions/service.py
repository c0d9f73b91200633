"""E-prescription reads and the cross-domain API (orders, review, FHIR use these functions).

Every read re-verifies the doctor's SM2 signature over the canonical form rebuilt from the rows, so
a change made after signing (even directly in the database) shows as 签名校验失败 and such a
prescription can be neither approved nor claimed.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from healthhub.core import audit, signing
from healthhub.core.dates import china_day_start, format_local
from healthhub.core.db import utcnow
from healthhub.core.errors import Forbidden, NotFound, RuleViolation
from healthhub.core.pagination import PageParams, paginate
from healthhub.identity.service import Principal
from healthhub.knowledge.service import get_knowledge_base
from healthhub.prescriptions.errors import ErrorCode
from healthhub.prescriptions.models import DoctorSigningKey, Prescription, PrescriptionStatusChange
from healthhub.prescriptions.policies import can_read_prescription
from healthhub.prescriptions.rules import FREQUENCIES
from healthhub.prescriptions.statemachine import STATUS_LABELS, RxEvent, RxStatus, next_status

SIGNATURE_FAILED = "签名校验失败：处方在签名后被修改 / signature check failed: changed after signing"


def end_of_validity(valid_until: date) -> datetime:
    """Issue and validity days follow the Chinese calendar: valid through the whole last day in China."""
    return china_day_start(valid_until + timedelta(days=1))


def expiry_label(expires_at: datetime) -> str:
    """The last minute a prescription can be used, as the patient reads it (e.g. "2026-12-10 23:59")."""
    return format_local(expires_at - timedelta(minutes=1))


@dataclass(frozen=True)
class ItemView:
    line_no: int
    knowledge_key: str
    generic_name: str
    dose: str
    unit: str
    frequency: str
    frequency_label: str
    route: str
    days: int
    quantity: int
    note: str


@dataclass(frozen=True)
class PrescriptionView:
    id: int
    number: str
    version: int
    status: str
    status_label: str
    consultation_id: int
    patient_id: int
    account_user_id: int
    patient_label: str
    patient: dict[str, Any]
    doctor_user_id: int
    doctor_id: int
    doctor_name: str
    doctor: dict[str, Any]
    diagnoses: list[dict[str, str]]
    emergency: bool
    long_term: bool
    extended_reason: str | None
    validity_days: int
    issued_on: date | None
    valid_until: date | None
    expires_at: datetime | None
    signed_at: datetime | None
    content_digest: str | None
    signature_valid: bool | None  # None while unsigned
    items: tuple[ItemView, ...]
    review_reason: str | None
    reviewed_at: datetime | None
    confirmation_question: str | None
    confirmation_findings: list[dict[str, Any]]
    confirmation_pending: bool
    doctor_confirmed_at: datetime | None
    previous_id: int | None
    superseded_by_id: int | None
    used_order_ref: str | None
    used_at: datetime | None
    created_at: datetime

    @property
    def expires_label(self) -> str:
        return expiry_label(self.expires_at) if self.expires_at else "—"


@dataclass(frozen=True)
class UsablePrescription:
    """What the pharmacy side needs to accept an approved prescription for Rx lines."""

    id: int
    number: str
    patient_id: int
    patient_label: str
    doctor_name: str
    valid_until: date
    expires_at: datetime
    lines: tuple[tuple[str, str, int], ...]  # (knowledge_key, generic name, packages)


def canonical_content(rx: Prescription) -> dict[str, Any]:
    """Everything the signature vouches for: patient, doctor, diagnosis, drugs and dates (RX-06 layout)."""
    return {
        "number": rx.number, "version": rx.version, "consultation_id": rx.consultation_id,
        "patient": {"id": rx.patient_id, "account_user_id": rx.account_user_id, **rx.patient_snapshot},
        "doctor": {"id": rx.doctor_id, "user_id": rx.doctor_user_id, **rx.doctor_snapshot},
        "diagnoses": rx.diagnoses, "emergency": rx.emergency, "long_term": rx.long_term,
        "extended_reason": rx.extended_reason, "patient_confirmed_long_term": rx.patient_confirmed_long_term,
        "items": [{"line": i.line_no, "key": i.knowledge_key, "name": i.generic_name, "dose": i.dose, "unit": i.unit,
                   "frequency": i.frequency, "route": i.route, "days": i.days, "quantity": i.quantity, "note": i.note}
                  for i in sorted(rx.items, key=lambda i: i.line_no)],
        "issued_on": rx.issued_on.isoformat() if rx.issued_on else None,
        "valid_until": rx.valid_until.isoformat() if rx.valid_until else None,
        "signed_at": rx.signed_at.astimezone(UTC).isoformat() if rx.signed_at else None,
        "kb_version": rx.kb_version,
    }


def signature_valid(session: Session, *, rx: Prescription) -> bool | None:
    if rx.signature is None:
        return None
    key = session.get(DoctorSigningKey, rx.signing_key_id) if rx.signing_key_id else None
    if key is None or key.doctor_user_id != rx.doctor_user_id:
        return False
    canonical = signing.canonical_form(canonical_content(rx))
    return signing.content_digest(canonical) == rx.content_digest and signing.verify(key.public_key, rx.signature,
                                                                                      canonical)


def require_valid_signature(session: Session, *, rx: Prescription) -> None:
    if not signature_valid(session, rx=rx):
        raise RuleViolation(SIGNATURE_FAILED, code=ErrorCode.RX_SIGNATURE_INVALID)


def transition(session: Session, *, rx: Prescription, event: RxEvent, actor_user_id: int | None,
               note: str = "") -> None:
    before = rx.status
    rx.status = next_status(before, event).value
    session.add(PrescriptionStatusChange(prescription_id=rx.id, from_status=before, to_status=rx.status,
                                         actor_user_id=actor_user_id, note=note[:500], occurred_at=utcnow()))
    audit.record(session, action=f"prescription.{event.value}", entity_type="prescription", entity_id=rx.id,
                 detail={"number": rx.number, "version": rx.version, "from": before, "to": rx.status,
                         "note": note[:200]})


def load_row(session: Session, *, prescription_id: int, lock: bool = False) -> Prescription:
    query = select(Prescription).where(Prescription.id == prescription_id).options(selectinload(Prescription.items))
    if lock:
        query = query.with_for_update()
    rx = session.execute(query).scalar_one_or_none()
    if rx is None:
        raise NotFound(f"处方 {prescription_id} 不存在 / prescription not found", code=ErrorCode.RX_NOT_FOUND)
    return rx


def view_of(session: Session, *, rx: Prescription) -> PrescriptionView:
    status = RxStatus(rx.status)
    return PrescriptionView(
        id=rx.id, number=rx.number, version=rx.version, status=status.value, status_label=STATUS_LABELS[status],
        consultation_id=rx.consultation_id, patient_id=rx.patient_id, account_user_id=rx.account_user_id,
        patient_label=rx.patient_label, patient=dict(rx.patient_snapshot), doctor_user_id=rx.doctor_user_id,
        doctor_id=rx.doctor_id, doctor_name=rx.doctor_snapshot.get("name", ""), doctor=dict(rx.doctor_snapshot),
        diagnoses=list(rx.diagnoses), emergency=rx.emergency, long_term=rx.long_term,
        extended_reason=rx.extended_reason, validity_days=rx.validity_days, issued_on=rx.issued_on,
        valid_until=rx.valid_until, expires_at=rx.expires_at, signed_at=rx.signed_at,
        content_digest=rx.content_digest, signature_valid=signature_valid(session, rx=rx),
        items=tuple(ItemView(i.line_no, i.knowledge_key, i.generic_name, i.dose, i.unit, i.frequency,
                             FREQUENCIES.get(i.frequency, (i.frequency, None))[0], i.route, i.days, i.quantity, i.note)
                    for i in rx.items),
        review_reason=rx.review_reason, reviewed_at=rx.reviewed_at, confirmation_question=rx.confirmation_question,
        confirmation_findings=list(rx.confirmation_findings or []),
        confirmation_pending=bool(rx.confirmation_requested_at and rx.status == RxStatus.UNDER_REVIEW
                                  and not rx.doctor_confirmed_at),
        doctor_confirmed_at=rx.doctor_confirmed_at, previous_id=rx.previous_id, superseded_by_id=rx.superseded_by_id,
        used_order_ref=rx.used_order_ref, used_at=rx.used_at, created_at=rx.created_at)


def get_prescription(session: Session, *, prescription_id: int) -> PrescriptionView:
    """For other domains (review, FHIR, orders): no permission check, the caller has done its own."""
    return view_of(session, rx=load_row(session, prescription_id=prescription_id))


def get_for(session: Session, *, principal: Principal, prescription_id: int) -> PrescriptionView:
    view = get_prescription(session, prescription_id=prescription_id)
    if not can_read_prescription(principal, view):
        raise Forbidden("无权查看该处方 / you may not see this prescription", code=ErrorCode.RX_FORBIDDEN)
    return view


def _listing(query: Select, session: Session, params: PageParams) -> tuple[list[PrescriptionView], int]:
    rows, total = paginate(session, query.options(selectinload(Prescription.items))
                           .order_by(Prescription.created_at.desc(), Prescription.id.desc()), params)
    return [view_of(session, rx=rx) for rx in rows], total


def list_for_doctor(session: Session, *, doctor_user_id: int, params: PageParams,
                    needs_action: bool = False) -> tuple[list[PrescriptionView], int]:
    """needs_action: returned ones not yet revised, and those a pharmacist asked the doctor to confirm."""
    query = select(Prescription).where(Prescription.doctor_user_id == doctor_user_id)
    if needs_action:
        query = query.where(
            ((Prescription.status == RxStatus.RETURNED) & Prescription.superseded_by_id.is_(None))
            | ((Prescription.status == RxStatus.UNDER_REVIEW) & Prescription.confirmation_requested_at.is_not(None)
               & Prescription.doctor_confirmed_at.is_(None)))
    return _listing(query, session, params)


def list_for_account(session: Session, *, account_user_id: int, params: PageParams) -> tuple[list[PrescriptionView], int]:
    """Drafts are the doctor's working copies; the patient sees a prescription once it is signed."""
    query = select(Prescription).where(Prescription.account_user_id == account_user_id,
                                       Prescription.status != RxStatus.DRAFT)
    return _listing(query, session, params)


def history(session: Session, *, prescription_id: int) -> list[PrescriptionStatusChange]:
    return list(session.execute(select(PrescriptionStatusChange).where(
        PrescriptionStatusChange.prescription_id == prescription_id).order_by(PrescriptionStatusChange.id)).scalars())


def list_for_patient(session: Session, *, patient_id: int) -> list[PrescriptionView]:
    rows = session.execute(select(Prescription).where(Prescription.patient_id == patient_id,
                                                      Prescription.status != RxStatus.DRAFT)
                           .options(selectinload(Prescription.items)).order_by(Prescription.id)).scalars()
    return [view_of(session, rx=rx) for rx in rows]


# --- the pharmacy side (orders): one use of an approved, valid prescription (OD-02) -------------------------

def _usable(rx: Prescription) -> UsablePrescription:
    return UsablePrescription(id=rx.id, number=rx.number, patient_id=rx.patient_id, patient_label=rx.patient_label,
                              doctor_name=rx.doctor_snapshot.get("name", ""), valid_until=rx.valid_until,
                              expires_at=rx.expires_at,
                              lines=tuple((i.knowledge_key, i.generic_name, i.quantity) for i in rx.items))


def list_usable_for_account(session: Session, *, account_user_id: int, now: datetime) -> list[UsablePrescription]:
    rows = session.execute(select(Prescription).where(
        Prescription.account_user_id == account_user_id, Prescription.status == RxStatus.APPROVED,
        Prescription.expires_at > now).options(selectinload(Prescription.items)).order_by(Prescription.id)).scalars()
    return [_usable(rx) for rx in rows if signature_valid(session, rx=rx)]


def claim_for_order(session: Session, *, prescription_id: int, account_user_id: int, lines: list[tuple[str, int]],
                    order_ref: str, now: datetime) -> UsablePrescription:
    """Marks the prescription USED for this order. Repeating the call for the same order_ref is a no-op."""
    rx = load_row(session, prescription_id=prescription_id, lock=True)
    if rx.account_user_id != account_user_id:
        raise Forbidden("该处方不属于当前账户的就诊人 / this prescription belongs to another account",
                        code=ErrorCode.RX_OTHER_ACCOUNT)
    if rx.status == RxStatus.USED and rx.used_order_ref == order_ref:
        return _usable(rx)
    if rx.status == RxStatus.USED:
        raise RuleViolation(f"处方 {rx.number} 已被使用，不能重复购药 / already used for another order (OD-02)",
                            code=ErrorCode.RX_ALREADY_USED)
    if rx.status == RxStatus.EXPIRED or (rx.status == RxStatus.APPROVED and rx.expires_at <= now):
        raise RuleViolation(f"处方 {rx.number} 已于 {rx.valid_until} 过期 / expired (RX-01)", code=ErrorCode.RX_EXPIRED)
    if rx.status != RxStatus.APPROVED:
        raise RuleViolation(f"处方 {rx.number} 状态为「{STATUS_LABELS[RxStatus(rx.status)]}」，药师审核通过后才能购药 / "
                            f"only a pharmacist-approved prescription can be used (IDT-08)", code=ErrorCode.RX_NOT_APPROVED)
    require_valid_signature(session, rx=rx)
    _check_coverage(rx, lines)
    rx.used_order_ref, rx.used_at = order_ref, now
    transition(session, rx=rx, event=RxEvent.CLAIM, actor_user_id=account_user_id, note=f"order {order_ref}")
    session.flush()
    return _usable(rx)


def _check_coverage(rx: Prescription, lines: list[tuple[str, int]]) -> None:
    if not lines:
        raise RuleViolation("订单中没有处方药 / no prescription lines to claim", code=ErrorCode.RX_NOTHING_TO_CLAIM)
    prescribed = {i.knowledge_key: i for i in rx.items}
    wanted: dict[str, int] = {}
    for key, quantity in lines:
        wanted[key] = wanted.get(key, 0) + quantity
    for key, quantity in wanted.items():
        item = prescribed.get(key)
        if item is None:
            raise RuleViolation(f"处方 {rx.number} 未开具药品 {_drug_name(key)} / the prescription does not cover {key}",
                                code=ErrorCode.RX_DRUG_NOT_COVERED)
        if quantity > item.quantity:
            raise RuleViolation(f"{item.generic_name} 购买 {quantity} 盒，超过处方数量 {item.quantity} 盒 / quantity "
                                f"exceeds the prescribed {item.quantity}", code=ErrorCode.RX_QUANTITY_EXCEEDED)


def _drug_name(knowledge_key: str) -> str:
    """The Chinese generic name a buyer reads; the key only for a drug the knowledge base no longer has."""
    try:
        return get_knowledge_base().drug(knowledge_key).display_name
    except KeyError:
        return knowledge_key


def release_claim(session: Session, *, order_ref: str, now: datetime | None = None) -> int | None:
    """Order cancelled before dispatch: the prescription is usable again while still valid (else EXPIRED).
    Returns the prescription id, or None when the order had claimed none."""
    rx = session.execute(select(Prescription).where(Prescription.used_order_ref == order_ref,
                                                    Prescription.status == RxStatus.USED).with_for_update()
                         ).scalar_one_or_none()
    if rx is None:
        return None
    now = now or utcnow()
    rx.used_order_ref, rx.used_at = None, None
    transition(session, rx=rx, event=RxEvent.RELEASE, actor_user_id=None, note=f"order {order_ref} cancelled")
    if rx.expires_at <= now:
        transition(session, rx=rx, event=RxEvent.EXPIRE, actor_user_id=None, note="past validity when released")
    session.flush()
    return rx.id


def expire_due(session: Session, *, now: datetime) -> int:
    """Marks approved prescriptions past their validity (RX-01) EXPIRED; returns how many."""
    rows = session.execute(select(Prescription).where(Prescription.status == RxStatus.APPROVED,
                                                      Prescription.expires_at <= now).with_for_update()).scalars().all()
    for rx in rows:
        transition(session, rx=rx, event=RxEvent.EXPIRE, actor_user_id=None, note=f"valid until {rx.valid_until}")
    session.flush()
    return len(rows)
