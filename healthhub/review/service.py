"""Review use cases: run the engine on a request, persist it with its timing and knowledge-base
version, and put it where it belongs (nowhere for a pre-check, a pharmacist's queue, or decided at
once for a clinic that auto-approves fully checked, unflagged reviews). Callers own the transaction."""
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.db import utcnow
from healthhub.core.public_ids import encode
from healthhub.review import overrides as override_service
from healthhub.review import webhooks, workbench
from healthhub.review.decisions import Source, Status, auto_pass_allowed, initial_status
from healthhub.review.engine import RuleOverrides
from healthhub.review.engine import review as run_engine
from healthhub.review.models import ReviewRecord, Tenant
from healthhub.review.policies import Caller, visible_reviews
from healthhub.review.schemas import ReviewRequest, ReviewResponse, Verdict


@dataclass(frozen=True)
class Submission:
    """Where a review comes from, beside the request itself."""

    source: Source
    tenant: Tenant | None = None
    source_ref: str | None = None
    patient_ref: str | None = None
    patient_label: str | None = None
    submitted_by_user_id: int | None = None
    api_key_id: int | None = None
    doctor_user_id: int | None = None


def submit(session: Session, *, request: ReviewRequest, submission: Submission) -> ReviewRecord:
    tenant = submission.tenant
    engine_overrides, applied = override_service.for_tenant(session, tenant=tenant)
    started = time.perf_counter()
    response: ReviewResponse = run_engine(request, overrides=engine_overrides)
    engine_us = int((time.perf_counter() - started) * 1_000_000)
    now = utcnow()
    status = initial_status(source=submission.source,
                            auto_pass=_may_auto_pass(tenant, request, response, engine_overrides))
    record = ReviewRecord(
        tenant_id=tenant.id if tenant else None, source=submission.source.value, source_ref=submission.source_ref,
        patient_ref=submission.patient_ref, patient_label=submission.patient_label,
        submitted_by_user_id=submission.submitted_by_user_id, api_key_id=submission.api_key_id,
        doctor_user_id=submission.doctor_user_id, request=request.model_dump(mode="json", exclude_none=True),
        response=response.model_dump(mode="json"), overrides_applied=applied, verdict=response.verdict.value,
        kb_version=response.kb_version, engine_us=engine_us, created_at=now, status=status.value,
        queued_at=now if status == Status.PENDING else None,
        decided_at=now if status == Status.AUTO_PASSED else None,
    )
    session.add(record)
    session.flush()
    audit.record(session, action="review.submit", entity_type="review", entity_id=record.id,
                 detail={"source": record.source, "tenant_id": record.tenant_id, "verdict": record.verdict,
                         "status": record.status, "kb_version": record.kb_version, "source_ref": record.source_ref})
    if status == Status.AUTO_PASSED and tenant is not None:
        webhooks.enqueue(session, tenant=tenant, event_type="review.decided", data=webhooks.decision_event(record),
                         review_id=record.id)
    return record


def _may_auto_pass(tenant: Tenant | None, request: ReviewRequest, response: ReviewResponse,
                   overrides: RuleOverrides | None) -> bool:
    """Judged on the engine's findings before the tenant's overrides: whether a review may skip the
    pharmacist is the law's question (RV-04), not one a clinic answers by disabling the rule that fired."""
    if tenant is None or not tenant.auto_approve_pass or response.verdict != Verdict.PASS:
        return False
    unoverridden = response if overrides is None else run_engine(request)
    return auto_pass_allowed([finding.model_dump(mode="json") for finding in unoverridden.findings])


def response_of(record: ReviewRecord) -> dict:
    """The API's answer as stored for idempotent replay: already JSON, so the review id is the public one."""
    return {**record.response, "review_id": encode(record.id), "status": record.status}


@dataclass(frozen=True)
class ReviewFilter:
    status: str | None = None
    verdict: str | None = None
    patient_ref: str | None = None
    source_ref: str | None = None
    tenant_id: int | None = None
    platform_only: bool = False
    since: datetime | None = None


def list_query(session: Session, *, caller: Caller, filters: ReviewFilter) -> Select:
    query = select(ReviewRecord).where(visible_reviews(caller))
    if filters.status:
        query = query.where(ReviewRecord.status == filters.status)
    if filters.verdict:
        query = query.where(ReviewRecord.verdict == filters.verdict)
    if filters.patient_ref:
        query = query.where(ReviewRecord.patient_ref == filters.patient_ref)
    if filters.source_ref:
        query = query.where(ReviewRecord.source_ref == filters.source_ref)
    if filters.platform_only:
        query = query.where(ReviewRecord.tenant_id.is_(None))
    elif filters.tenant_id is not None:
        query = query.where(ReviewRecord.tenant_id == filters.tenant_id)
    if filters.since:
        query = query.where(ReviewRecord.created_at >= filters.since)
    return query.order_by(ReviewRecord.id.desc())


def submit_prescription(session: Session, *, prescription_id: int, request: ReviewRequest, doctor_user_id: int,
                        patient_label: str | None) -> None:
    """The internet hospital hands a signed prescription over for review, in the doctor's transaction."""
    if workbench.open_review_for_prescription(session, prescription_id=prescription_id) is not None:
        return  # a repeated submission while a review is open must not queue the prescription twice
    submit(session, request=request, submission=Submission(
        source=Source.PRESCRIPTION, source_ref=str(prescription_id), patient_label=patient_label or None,
        doctor_user_id=doctor_user_id, submitted_by_user_id=doctor_user_id))


def record_prescriber_confirmation(session: Session, *, prescription_id: int, doctor_user_id: int,
                                   comment: str) -> None:
    """RV-05: the prescriber answered the pharmacist's question; the review goes back to the pharmacist."""
    record = workbench.require_open_review_for_prescription(session, prescription_id=prescription_id)
    workbench.doctor_confirmed(session, record=record, doctor={"user_id": doctor_user_id}, comment=comment)
