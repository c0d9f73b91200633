"""Pharmacist workbench: approve (SM2-signed with the pharmacist's key), return to the prescriber, ask
the prescriber to confirm warnings (double signature by a named doctor, RV-05). The outcome goes back
where the prescription came from: an in-process event for the internet hospital, a signed webhook for
a clinic."""
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core import audit, events
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from healthhub.core.public_ids import encode
from healthhub.review import policies, signatures, webhooks
from healthhub.review.decisions import Source, Status, approval_check, sorted_findings
from healthhub.review.errors import ErrorCode
from healthhub.review.events import PrescriberConfirmationRequested, PrescriptionReviewDecided
from healthhub.review.models import ReviewRecord, Tenant
from healthhub.review.policies import Caller

MIN_REASON_CHARS = 4


def _require_pharmacist(caller: Caller) -> None:
    if not policies.can_decide_reviews(caller):
        raise Forbidden("只有药师可以审核处方 / only pharmacists review prescriptions", code=ErrorCode.FORBIDDEN_ROLE)


def _text(value: str | None, *, field: str, label: str, code: ErrorCode) -> str:
    text = (value or "").strip()
    if len(text) < MIN_REASON_CHARS:
        raise RuleViolation(f"请填写{label}（至少{MIN_REASON_CHARS}个字）/ {field} needs at least {MIN_REASON_CHARS} "
                            "characters", code=code)
    return text


def _announce_decision(session: Session, record: ReviewRecord) -> None:
    if record.source == Source.PRESCRIPTION:
        events.publish(session, PrescriptionReviewDecided(
            prescription_id=int(record.source_ref), review_id=record.id, outcome=record.status,
            pharmacist_user_id=record.decided_by_user_id, reason=record.decision_reason, signature=record.signature))
    elif record.tenant_id is not None:
        webhooks.enqueue(session, tenant=session.get(Tenant, record.tenant_id), event_type="review.decided",
                         data=webhooks.decision_event(record), review_id=record.id)


def approve(session: Session, *, caller: Caller, record: ReviewRecord, note: str | None,
            now: datetime | None = None) -> ReviewRecord:
    _require_pharmacist(caller)
    check = approval_check(status=record.status, verdict=record.verdict, findings=record.response["findings"],
                           double_signed=record.double_signed, note=note)
    if not check.allowed:
        raise Conflict("；".join(check.reasons), code=ErrorCode.APPROVAL_BLOCKED, reasons=list(check.reasons))
    now = (now or utcnow()).replace(microsecond=0)  # the signed time as every database stores it
    record.status, record.decided_at, record.decided_by_user_id = Status.APPROVED.value, now, caller.user_id
    record.decision_reason = (note or "").strip() or None
    signatures.sign_approval(session, record, pharmacist_user_id=caller.user_id, signed_at=now)
    session.flush()
    audit.record(session, action="review.approve", entity_type="review", entity_id=record.id,
                 detail={"signature": record.signature, "signing_key_id": record.signing_key_id,
                         "double_signed": record.double_signed, "note": record.decision_reason})
    _announce_decision(session, record)
    return record


def return_to_doctor(session: Session, *, caller: Caller, record: ReviewRecord, reason: str | None,
                     now: datetime | None = None) -> ReviewRecord:
    _require_pharmacist(caller)
    if record.status not in (Status.PENDING, Status.AWAITING_DOCTOR):
        raise Conflict("该处方已审核完毕 / this review is already decided", code=ErrorCode.REVIEW_CLOSED)
    record.decision_reason = _text(reason, field="reason", label="退回原因", code=ErrorCode.REASON_REQUIRED)
    record.status, record.decided_at, record.decided_by_user_id = Status.RETURNED.value, now or utcnow(), caller.user_id
    record.signature = record.signing_key_id = None
    session.flush()
    audit.record(session, action="review.return", entity_type="review", entity_id=record.id,
                 detail={"reason": record.decision_reason})
    _announce_decision(session, record)
    return record


def ask_doctor(session: Session, *, caller: Caller, record: ReviewRecord, question: str | None,
               now: datetime | None = None) -> ReviewRecord:
    _require_pharmacist(caller)
    if record.status != Status.PENDING:
        raise Conflict("只有待审核的处方可以请医生确认 / only a pending review can be sent for confirmation",
                       code=ErrorCode.REVIEW_NOT_PENDING)
    if record.verdict == "reject":
        raise Conflict("审方结论为拒绝，只能退回医生 / a rejected prescription can only be returned",
                       code=ErrorCode.REVIEW_REJECTED)
    if record.double_signed:
        raise Conflict("医生已确认（双签），请直接审核 / the prescriber already confirmed", code=ErrorCode.ALREADY_DOUBLE_SIGNED)
    record.confirmation_question = _text(question, field="question", label="需医生确认的问题",
                                           code=ErrorCode.QUESTION_REQUIRED)
    record.status, record.confirmation_requested_at = Status.AWAITING_DOCTOR.value, now or utcnow()
    session.flush()
    audit.record(session, action="review.ask_doctor", entity_type="review", entity_id=record.id,
                 detail={"question": record.confirmation_question})
    findings = [f for f in sorted_findings(record.response["findings"]) if f["severity"] != "info"]
    if record.source == Source.PRESCRIPTION:
        events.publish(session, PrescriberConfirmationRequested(
            prescription_id=int(record.source_ref), review_id=record.id, question=record.confirmation_question,
            findings=findings))
    elif record.tenant_id is not None:
        webhooks.enqueue(session, tenant=session.get(Tenant, record.tenant_id),
                         event_type="review.confirmation_requested",
                         data={"review_id": encode(record.id), "external_ref": record.source_ref,
                               "question": record.confirmation_question, "findings": findings},
                         review_id=record.id)
    return record


def doctor_confirmed(session: Session, *, record: ReviewRecord, doctor: dict[str, Any], comment: str | None,
                     now: datetime | None = None) -> ReviewRecord:
    """The prescriber re-signed: the task returns to the queue marked double-signed.

    `doctor` names who re-signed: {"user_id"} for our own doctors, {"name", "licence_no" and/or
    "external_id"} for a clinic's (RV-05: a double signature without a signer is no signature)."""
    identity = {k: v for k, v in doctor.items() if v not in (None, "")}
    if not identity.get("user_id") and not (identity.get("name") and (identity.get("licence_no")
                                                                       or identity.get("external_id"))):
        raise RuleViolation("请提供确认医生的身份 / the confirming doctor's identity is required",
                            code=ErrorCode.DOCTOR_IDENTITY_REQUIRED)
    if record.status != Status.AWAITING_DOCTOR:
        raise Conflict("该处方未在等待医生确认 / this review is not waiting for the prescriber",
                       code=ErrorCode.REVIEW_NOT_AWAITING_DOCTOR)
    record.status, record.double_signed, record.confirming_doctor = Status.PENDING.value, True, identity
    record.doctor_confirmed_at, record.doctor_comment = now or utcnow(), (comment or "").strip() or None
    if identity.get("user_id"):
        record.doctor_user_id = identity["user_id"]
    session.flush()
    audit.record(session, action="review.doctor_confirm", entity_type="review", entity_id=record.id,
                 detail={"doctor": identity, "comment": record.doctor_comment})
    return record


def open_review_for_prescription(session: Session, *, prescription_id: int, for_update: bool = False) -> \
        ReviewRecord | None:
    query = select(ReviewRecord).where(
        ReviewRecord.source == Source.PRESCRIPTION.value, ReviewRecord.source_ref == str(prescription_id),
        ReviewRecord.status.in_([s.value for s in (Status.PENDING, Status.AWAITING_DOCTOR)]))
    if for_update:
        query = query.with_for_update()
    return session.execute(query.order_by(ReviewRecord.id.desc()).limit(1)).scalar_one_or_none()


def require_open_review_for_prescription(session: Session, *, prescription_id: int) -> ReviewRecord:
    record = open_review_for_prescription(session, prescription_id=prescription_id, for_update=True)
    if record is None:
        raise NotFound(f"处方 {prescription_id} 没有进行中的审方任务 / no open review for this prescription",
                       code=ErrorCode.REVIEW_NOT_FOUND)
    return record
