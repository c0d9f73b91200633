"""Review service HTTP API: POST /api/v1/review (the stable contract), review lists and details,
the pharmacist workbench, usage and SLA. Tenant management lives in tenant_api.py."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from healthhub.core.db import DbSession
from healthhub.core.errors import Forbidden
from healthhub.core.idempotency import OptionalIdempotencyKey, idempotent
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.pagination import Page, PageParams, page_params, paginate
from healthhub.core.public_ids import encode
from healthhub.review import service, signatures, stats, workbench
from healthhub.review import tenants as tenant_service
from healthhub.review.access import get_visible_review, tenant_scope
from healthhub.review.decisions import Source, max_severity
from healthhub.review.deps import Clinic, Pharmacist, Reader, StatsReader, Submitter
from healthhub.review.errors import ErrorCode
from healthhub.review.models import ReviewRecord
from healthhub.review.payloads import (ApproveIn, AskDoctorIn, DayUsageOut, DoctorConfirmIn, ReturnIn, ReviewDetail,
                                       ReviewOut, ReviewSummary, SlaOut, ThroughputOut, UsageOut)
from healthhub.review.policies import Caller
from healthhub.review.schemas import ReviewRequest
from healthhub.review.tenant_api import router as tenant_router

router = APIRouter(prefix="/api/v1", tags=["review"])
router.include_router(tenant_router)
RefParam = Annotated[str | None, Query(max_length=64)]


def _public_source_ref(record: ReviewRecord) -> str | None:
    # A clinic's reference is its own text; the internet hospital's is our prescription key, shown public.
    if record.source == Source.PRESCRIPTION and record.source_ref:
        return encode(int(record.source_ref))
    return record.source_ref


def _public_confirmer(doctor: dict | None) -> dict | None:
    # Our own doctors are named by user id (workbench.doctor_confirmed); clinics' doctors by name and licence.
    if doctor and doctor.get("user_id"):
        return {**doctor, "user_id": encode(doctor["user_id"])}
    return doctor


def summary_of(record: ReviewRecord) -> ReviewSummary:
    findings = record.response.get("findings", [])
    return ReviewSummary(id=record.id, tenant_id=record.tenant_id, source=record.source,
                         source_ref=_public_source_ref(record),
                         patient_ref=record.patient_ref, patient_label=record.patient_label, verdict=record.verdict,
                         max_severity=max_severity(findings), findings=len(findings), status=record.status,
                         double_signed=record.double_signed, kb_version=record.kb_version,
                         created_at=record.created_at, queued_at=record.queued_at, decided_at=record.decided_at)


def detail_of(db: Session, record: ReviewRecord) -> ReviewDetail:
    return ReviewDetail(**dict(summary_of(record)), request=record.request, response=record.response,
                        overrides_applied=record.overrides_applied, engine_us=record.engine_us,
                        confirmation_question=record.confirmation_question, doctor_comment=record.doctor_comment,
                        doctor_confirmed_at=record.doctor_confirmed_at, confirming_doctor=_public_confirmer(record.confirming_doctor),
                        decided_by_user_id=record.decided_by_user_id, decision_reason=record.decision_reason,
                        signature=record.signature,
                        signature_valid=signatures.verify(db, record) if record.signature else None)


def _submission(db, caller: Caller, external_ref, patient_ref, patient_label) -> service.Submission:
    if caller.is_clinic:
        if caller.tenant_id is None:
            raise Forbidden("当前诊所管理员不属于任何租户 / this clinic admin belongs to no tenant", code=ErrorCode.NO_TENANT)
        return service.Submission(source=Source.CLINIC, tenant=tenant_service.get_tenant(db, tenant_id=caller.tenant_id),
                                  source_ref=external_ref, patient_ref=patient_ref, patient_label=patient_label,
                                  submitted_by_user_id=caller.user_id, api_key_id=caller.api_key_id)
    return service.Submission(source=Source.API, source_ref=external_ref, patient_ref=patient_ref,
                              patient_label=patient_label, submitted_by_user_id=caller.user_id)


@router.post("/review", response_model=ReviewOut, summary="Review a prescription (tenant API key or user token)")
def review_prescription(body: ReviewRequest, caller: Submitter, db: DbSession,
                        external_ref: RefParam = None, patient_ref: RefParam = None, patient_label: RefParam = None,
                        idempotency_key: OptionalIdempotencyKey = None):
    """Clinics (API key or clinic admin) get the review queued for their pharmacists; doctors and
    pharmacists get a pre-check. A retried call with the same `Idempotency-Key` returns the first result."""
    owner = f"tenant:{caller.tenant_id}" if caller.is_clinic else f"user:{caller.user_id}"

    def run() -> dict:
        record = service.submit(db, request=body, submission=_submission(db, caller, external_ref, patient_ref,
                                                                          patient_label))
        return service.response_of(record)

    return idempotent(db, scope="review.submit", owner=owner, key=idempotency_key, run=run,
                      body={"body": body.model_dump(mode="json"), "refs": [external_ref, patient_ref, patient_label]})


@router.get("/review/reviews", response_model=Page[ReviewSummary], summary="Reviews the caller may see")
def list_reviews(caller: Reader, db: DbSession, params: Annotated[PageParams, Depends(page_params)],
                 status: Annotated[str | None, Query(max_length=16)] = None,
                 verdict: Annotated[str | None, Query(pattern="^(pass|review|reject)$")] = None,
                 patient_ref: RefParam = None, external_ref: RefParam = None,
                 tenant_id: QueryId | None = None, platform: bool = False) -> Page[ReviewSummary]:
    filters = service.ReviewFilter(status=status, verdict=verdict, patient_ref=patient_ref, source_ref=external_ref,
                                   tenant_id=tenant_id, platform_only=platform)
    rows, total = paginate(db, service.list_query(db, caller=caller, filters=filters), params)
    return Page(items=[summary_of(r) for r in rows], total=total, page=params.page, size=params.size)


@router.get("/review/reviews/{review_id}", response_model=ReviewDetail)
def get_review(review_id: ResourceId, caller: Reader, db: DbSession) -> ReviewDetail:
    return detail_of(db, get_visible_review(db, caller, review_id))


@router.post("/review/reviews/{review_id}/approve", response_model=ReviewDetail, summary="Approve and sign")
def approve(review_id: ResourceId, body: ApproveIn, caller: Pharmacist, db: DbSession) -> ReviewDetail:
    record = get_visible_review(db, caller, review_id, for_update=True)
    return detail_of(db, workbench.approve(db, caller=caller, record=record, note=body.note))


@router.post("/review/reviews/{review_id}/return", response_model=ReviewDetail, summary="Return to the prescriber")
def return_review(review_id: ResourceId, body: ReturnIn, caller: Pharmacist, db: DbSession) -> ReviewDetail:
    record = get_visible_review(db, caller, review_id, for_update=True)
    return detail_of(db, workbench.return_to_doctor(db, caller=caller, record=record, reason=body.reason))


@router.post("/review/reviews/{review_id}/ask-doctor", response_model=ReviewDetail,
             summary="Ask the prescriber to confirm warnings (double signature)")
def ask_doctor(review_id: ResourceId, body: AskDoctorIn, caller: Pharmacist, db: DbSession) -> ReviewDetail:
    record = get_visible_review(db, caller, review_id, for_update=True)
    return detail_of(db, workbench.ask_doctor(db, caller=caller, record=record, question=body.question))


@router.post("/review/reviews/{review_id}/doctor-confirmation", response_model=ReviewDetail,
             summary="A clinic's prescriber confirms the warnings the pharmacist asked about")
def doctor_confirmation(review_id: ResourceId, body: DoctorConfirmIn, caller: Clinic, db: DbSession) -> ReviewDetail:
    """RV-05: the API key acts for the clinic, not for a person, so the body names the doctor who re-signs
    (name with licence number and/or the clinic's doctor id); it is stored and covered by the approval."""
    record = get_visible_review(db, caller, review_id, for_update=True)
    doctor = body.doctor.model_dump(exclude_none=True)
    return detail_of(db, workbench.doctor_confirmed(db, record=record, doctor=doctor, comment=body.comment))


@router.get("/review/usage", response_model=UsageOut, summary="Reviews per day and verdict counts")
def usage(caller: StatsReader, db: DbSession, days: Annotated[int, Query(ge=1, le=stats.MAX_DAYS)] = 30,
          tenant_id: QueryId | None = None, platform: bool = False) -> UsageOut:
    scope = tenant_scope(db, caller, tenant_id)
    result = stats.usage(db, caller, days=days, tenant_id=scope, platform_only=platform and scope is None)
    return UsageOut(tenant_id=scope, days=[DayUsageOut(day=d.day, total=d.total, verdicts=d.verdicts)
                                           for d in result.days],
                    total=result.total, verdicts=result.verdicts, statuses=result.statuses)


@router.get("/review/stats/sla", response_model=SlaOut, summary="Waiting time and pharmacist throughput")
def sla(caller: StatsReader, db: DbSession, days: Annotated[int, Query(ge=1, le=stats.MAX_DAYS)] = 7,
        tenant_id: QueryId | None = None, platform: bool = False) -> SlaOut:
    scope = tenant_scope(db, caller, tenant_id)
    result = stats.sla(db, caller, days=days, tenant_id=scope, platform_only=platform and scope is None)
    return SlaOut(tenant_id=scope, decided=result.decided, wait_p50_minutes=result.wait_p50_minutes,
                  wait_p90_minutes=result.wait_p90_minutes, pending=result.pending,
                  awaiting_doctor=result.awaiting_doctor, oldest_pending_minutes=result.oldest_pending_minutes,
                  throughput=[ThroughputOut(**vars(t)) for t in result.throughput])

