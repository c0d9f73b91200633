"""Uploaded prescription images: the patient uploads a photo, a pharmacist transcribes the drugs and
quantities and approves (or rejects) it; an approved one is used for exactly one order (OD-02).

Images are kept in the database (one transaction with the record, no stray files), checked by
their leading bytes rather than the name or declared type.
"""
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from healthhub.core import audit, events
from healthhub.core.dates import local_today
from healthhub.core.errors import AppError, Conflict, NotFound, RuleViolation
from healthhub.orders.errors import ErrorCode
from healthhub.orders.events import RxUploadApproved, RxUploadRejected
from healthhub.orders.models import RxUpload, RxUploadItem

PENDING, APPROVED, REJECTED, USED = "pending", "approved", "rejected", "used"
STATUS_LABELS = {PENDING: "待审核", APPROVED: "已通过", REJECTED: "未通过", USED: "已使用"}
MAX_BYTES = 5 * 1024 * 1024
MIN_BYTES = 64
MAX_VALID_DAYS = 3  # RX-01: valid on the issue day, extendable to 3 days at most
MAX_ITEMS = 5  # RX-03
_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


@dataclass(frozen=True)
class ApprovedItem:
    knowledge_key: str
    drug_name: str
    quantity: int


def sniff_image(data: bytes) -> str:
    """The real type from the first bytes; refuses anything that is not a PNG or JPEG of sane size."""
    if len(data) > MAX_BYTES:
        raise AppError(f"图片不能超过 {MAX_BYTES // 1024 // 1024} MB / image larger than 5 MB", code=ErrorCode.UPLOAD_TOO_LARGE,
                       status=413)
    if len(data) < MIN_BYTES:
        raise AppError("图片文件为空或已损坏 / the image is empty or truncated", code=ErrorCode.UPLOAD_INVALID, status=422)
    for content_type, magic in _SIGNATURES.items():
        if data.startswith(magic):
            return content_type
    raise AppError("只支持 PNG 或 JPEG 格式的处方图片 / only PNG or JPEG images are accepted",
                   code=ErrorCode.UPLOAD_UNSUPPORTED_TYPE, status=415)


def create_upload(session: Session, *, patient_id: int, data: bytes) -> RxUpload:
    upload = RxUpload(patient_id=patient_id, content_type=sniff_image(data), size_bytes=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), image=data, status=PENDING)
    session.add(upload)
    session.flush()
    audit.record(session, action="rx_upload.create", entity_type="rx_upload", entity_id=upload.id,
                 detail={"size": upload.size_bytes, "type": upload.content_type, "sha256": upload.sha256})
    return upload


def get_upload(session: Session, *, upload_id: int, lock: bool = False) -> RxUpload:
    query = select(RxUpload).where(RxUpload.id == upload_id).options(selectinload(RxUpload.items))
    upload = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if upload is None:
        raise NotFound("处方图片不存在 / uploaded prescription not found")
    return upload


def usable_upload(session: Session, *, upload_id: int, patient_id: int, now: datetime, lock: bool = False) -> RxUpload:
    """A pending or approved, unexpired upload of this patient; otherwise a clear refusal."""
    upload = get_upload(session, upload_id=upload_id, lock=lock)
    if upload.patient_id != patient_id:
        raise NotFound("处方图片不存在 / uploaded prescription not found")
    if upload.status == USED:
        raise RuleViolation("该处方已被使用，不能重复购药 (OD-02) / this prescription was already used",
                            code=ErrorCode.RX_ALREADY_USED)
    if upload.status == REJECTED:
        raise RuleViolation(f"该处方未通过药师审核：{upload.review_note or ''} (RX-01/OD-02) / the prescription was "
                            f"rejected by the pharmacist", code=ErrorCode.RX_REJECTED)
    if upload.status == APPROVED and upload.valid_until < local_today(now):
        raise RuleViolation(f"处方已于 {upload.valid_until} 过期 (RX-01) / the prescription expired",
                            code=ErrorCode.RX_EXPIRED)
    return upload


def validate_approval(*, issued_on: date, valid_until: date, items: list[ApprovedItem], today: date) -> None:
    """Pure checks of what the pharmacist transcribed (RX-01, RX-03)."""
    if valid_until < issued_on or valid_until > issued_on + timedelta(days=MAX_VALID_DAYS):
        raise RuleViolation("处方有效期须为开具当日，最长延至开具后3天 (RX-01) / validity must be within 3 days of issue",
                            code=ErrorCode.RX_VALIDITY)
    if issued_on > today:
        raise RuleViolation("开具日期不能晚于今天 / the issue date cannot be in the future", code=ErrorCode.RX_VALIDITY)
    if valid_until < today:
        raise RuleViolation("处方已过有效期，不能通过 (RX-01) / the prescription has already expired", code=ErrorCode.RX_EXPIRED)
    if not 1 <= len(items) <= MAX_ITEMS:
        raise RuleViolation("每张处方须列1–5种药品 (RX-03) / a prescription lists 1 to 5 drugs", code=ErrorCode.RX_ITEMS)
    keys = [i.knowledge_key for i in items]
    if len(set(keys)) != len(keys):
        raise RuleViolation("同一药品不能重复列出 / a drug is listed twice", code=ErrorCode.RX_ITEMS)
    if any(i.quantity < 1 or i.quantity > 99 for i in items):
        raise RuleViolation("药品数量须在1–99之间 / quantity must be 1–99", code=ErrorCode.RX_ITEMS)


def approve(session: Session, *, upload_id: int, pharmacist_id: int, issued_on: date, valid_until: date,
            items: list[ApprovedItem], now: datetime) -> RxUpload:
    upload = get_upload(session, upload_id=upload_id, lock=True)
    if upload.status != PENDING:
        raise Conflict(f"该处方已审核（{STATUS_LABELS[upload.status]}）/ already reviewed", code=ErrorCode.RX_UPLOAD_REVIEWED)
    validate_approval(issued_on=issued_on, valid_until=valid_until, items=items, today=local_today(now))
    upload.items = [RxUploadItem(knowledge_key=i.knowledge_key, drug_name=i.drug_name, quantity=i.quantity)
                    for i in items]
    upload.status, upload.issued_on, upload.valid_until = APPROVED, issued_on, valid_until
    upload.reviewer_id, upload.reviewed_at = pharmacist_id, now
    session.flush()
    audit.record(session, action="rx_upload.approve", entity_type="rx_upload", entity_id=upload.id,
                 detail={"issued_on": issued_on, "valid_until": valid_until,
                         "items": [[i.knowledge_key, i.quantity] for i in items]})
    events.publish(session, RxUploadApproved(upload_id=upload.id, at=now))
    return upload


def reject(session: Session, *, upload_id: int, pharmacist_id: int, reason: str, now: datetime) -> RxUpload:
    upload = get_upload(session, upload_id=upload_id, lock=True)
    if upload.status != PENDING:
        raise Conflict(f"该处方已审核（{STATUS_LABELS[upload.status]}）/ already reviewed", code=ErrorCode.RX_UPLOAD_REVIEWED)
    if not reason.strip():
        raise AppError("请填写不通过的原因 / give the reason for rejecting", code=ErrorCode.REASON_REQUIRED, status=422)
    upload.status, upload.review_note = REJECTED, reason.strip()[:300]
    upload.reviewer_id, upload.reviewed_at = pharmacist_id, now
    session.flush()
    audit.record(session, action="rx_upload.reject", entity_type="rx_upload", entity_id=upload.id,
                 detail={"reason": upload.review_note})
    events.publish(session, RxUploadRejected(upload_id=upload.id, reason=upload.review_note, at=now))
    return upload


def mark_used(session: Session, *, upload: RxUpload, order_ref: str) -> None:
    upload.status, upload.used_order_ref = USED, order_ref
    session.flush()
    audit.record(session, action="rx_upload.use", entity_type="rx_upload", entity_id=upload.id,
                 detail={"order": order_ref})


def release(session: Session, *, order_ref: str) -> None:
    upload = session.execute(select(RxUpload).where(RxUpload.used_order_ref == order_ref, RxUpload.status == USED)
                             .with_for_update()).scalar_one_or_none()
    if upload is not None:
        upload.status, upload.used_order_ref = APPROVED, None
        audit.record(session, action="rx_upload.release", entity_type="rx_upload", entity_id=upload.id,
                     detail={"order": order_ref})


def open_uploads_of(session: Session, *, patient_id: int, now: datetime) -> list[RxUpload]:
    """This patient's uploads that can still be attached to an order (pending, or approved and valid)."""
    rows = session.execute(select(RxUpload).where(RxUpload.patient_id == patient_id,
                                                  RxUpload.status.in_([PENDING, APPROVED]))
                           .options(selectinload(RxUpload.items)).order_by(RxUpload.id.desc())).scalars()
    today = local_today(now)
    return [u for u in rows if u.status == PENDING or u.valid_until >= today]
