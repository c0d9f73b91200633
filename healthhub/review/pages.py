"""Review pages: pharmacist workbench (queue and detail), SLA and usage, tenant management.
Actions are buttons that call the JSON API through HH.api (static/review.js)."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from healthhub.core.db import DbSession, utcnow
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.core.navigation import add_menu
from healthhub.core.pagination import Page, PageParams, page_params, paginate
from healthhub.core.public_ids import decode, encode
from healthhub.core.templating import render
from healthhub.identity.deps import require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal, principals_by_id
from healthhub.review import overrides as override_service
from healthhub.review import policies, service, signatures, stats
from healthhub.review import tenants as tenant_service
from healthhub.review.access import get_visible_review, manageable_tenant, tenant_scope, user_caller
from healthhub.review.decisions import STATUS_LABELS, Status, approval_check, max_severity, sorted_findings
from healthhub.review.models import ReviewRecord, Tenant, WebhookDelivery

router = APIRouter(include_in_schema=False)
WORKBENCH_ROLES = (Role.PHARMACIST, Role.OPERATOR, Role.ADMIN)
STATS_ROLES = (Role.PHARMACIST, Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
TENANT_ROLES = (Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
add_menu("审方工作台", "/review/workbench", set(WORKBENCH_ROLES), order=40)
add_menu("审方统计", "/review/stats", set(STATS_ROLES), order=41)
add_menu("云审方租户", "/review/tenants", set(TENANT_ROLES), order=42)

QUEUE_TABS = (("pending", "待审核"), ("awaiting_doctor", "待医生确认"), ("approved", "已通过"), ("returned", "已退回"))
VERDICT_LABELS = {"pass": "通过", "review": "需人工审核", "reject": "拒绝"}
SEVERITY_LABELS = {"block": "阻断", "warn": "警示", "info": "提示"}
LABELS = {"status": STATUS_LABELS, "verdict": VERDICT_LABELS, "severity": SEVERITY_LABELS}


def _tenant_names(db, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    return dict(db.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids))).all()) if ids else {}


@router.get("/review/workbench")
def queue_page(request: Request, db: DbSession, principal: Annotated[Principal, Depends(require_roles(*WORKBENCH_ROLES))],
               params: Annotated[PageParams, Depends(page_params)],
               status: Annotated[str, Query(pattern="^(pending|awaiting_doctor|approved|returned)$")] = "pending",
               scope: Annotated[str, Query(max_length=32)] = "all"):
    # scope is "all", "platform" or a tenant's public id; anything else means no tenant filter.
    caller = user_caller(db, user_id=principal.id, role=principal.role)
    filters = service.ReviewFilter(status=status, platform_only=scope == "platform", tenant_id=decode(scope))
    query = service.list_query(db, caller=caller, filters=filters)
    if status == Status.PENDING:  # oldest first: the queue is worked in arrival order
        query = query.order_by(None).order_by(ReviewRecord.queued_at, ReviewRecord.id)
    rows, total = paginate(db, query, params)
    scopes = [("all", "全部"), ("platform", "互联网医院")]
    assigned = set(db.execute(select(Tenant.id)).scalars()) if caller.is_platform else caller.assigned_tenant_ids
    scopes += [(encode(tid), name) for tid, name in sorted(_tenant_names(db, assigned).items())]
    items = [{"record": r, "max_severity": max_severity(r.response["findings"])} for r in rows]
    return render(request, "review/workbench.html", {
        "items": items, "page": Page(items=[], total=total, page=params.page, size=params.size), "status": status,
        "scope": scope, "scopes": scopes, "tabs": QUEUE_TABS, "labels": LABELS,
        "tenants": _tenant_names(db, [r.tenant_id for r in rows]), "now": utcnow()})


@router.get("/review/workbench/{review_id}")
def detail_page(review_id: ResourceId, request: Request, db: DbSession,
                principal: Annotated[Principal, Depends(require_roles(*WORKBENCH_ROLES))]):
    caller = user_caller(db, user_id=principal.id, role=principal.role)
    record = get_visible_review(db, caller, review_id)
    check = approval_check(status=record.status, verdict=record.verdict, findings=record.response["findings"],
                           double_signed=record.double_signed, note="x" * 10)
    confirmer_id = (record.confirming_doctor or {}).get("user_id")
    people = principals_by_id(db, user_ids={uid for uid in (record.decided_by_user_id, confirmer_id) if uid})
    return render(request, "review/detail.html", {
        "record": record, "findings": sorted_findings(record.response["findings"]), "labels": LABELS,
        "check": check, "can_act": policies.can_decide_reviews(caller),
        "decided_by": people.get(record.decided_by_user_id), "confirming_user": people.get(confirmer_id),
        "tenant": db.get(Tenant, record.tenant_id) if record.tenant_id else None,
        "signature_valid": signatures.verify(db, record) if record.signature else None})


@router.get("/review/stats")
def stats_page(request: Request, db: DbSession, principal: Annotated[Principal, Depends(require_roles(*STATS_ROLES))],
               days: Annotated[int, Query(ge=1, le=stats.MAX_DAYS)] = 7, tenant_id: QueryId | None = None):
    caller = user_caller(db, user_id=principal.id, role=principal.role)
    if caller.is_clinic and caller.tenant_id is None:
        return render(request, "review/stats.html", {"no_tenant": True, "days": days})
    scope = tenant_scope(db, caller, tenant_id)
    usage = stats.usage(db, caller, days=days, tenant_id=scope)
    sla = stats.sla(db, caller, days=days, tenant_id=scope)
    peak = max((d.total for d in usage.days), default=0) or 1
    tenants = [] if caller.is_clinic else list(db.execute(select(Tenant).order_by(Tenant.name)).scalars())
    return render(request, "review/stats.html", {"usage": usage, "sla": sla, "days": days, "peak": peak,
                                                 "tenant_id": scope, "tenants": tenants, "labels": LABELS})


@router.get("/review/tenants")
def tenants_page(request: Request, db: DbSession, principal: Annotated[Principal, Depends(require_roles(*TENANT_ROLES))],
                 params: Annotated[PageParams, Depends(page_params)]):
    caller = user_caller(db, user_id=principal.id, role=principal.role)
    if caller.is_clinic:
        if caller.tenant_id is None:
            return render(request, "review/tenants.html", {"no_tenant": True})
        return RedirectResponse(f"/review/tenants/{encode(caller.tenant_id)}", status_code=303)
    rows, total = paginate(db, select(Tenant).order_by(Tenant.id), params)
    return render(request, "review/tenants.html", {"tenants": rows, "page": Page(items=[], total=total,
                                                                                 page=params.page, size=params.size)})


@router.get("/review/tenants/{tenant_id}")
def tenant_page(tenant_id: ResourceId, request: Request, db: DbSession,
                principal: Annotated[Principal, Depends(require_roles(*TENANT_ROLES))]):
    caller = user_caller(db, user_id=principal.id, role=principal.role)
    tenant = manageable_tenant(db, caller, tenant_id)
    now = utcnow()
    keys = [(k, tenant_service.key_state(k, now)) for k in tenant_service.list_keys(db, tenant=tenant)]
    deliveries = db.execute(select(WebhookDelivery).where(WebhookDelivery.tenant_id == tenant.id)
                            .order_by(WebhookDelivery.id.desc()).limit(20)).scalars().all()
    overrides = {o.rule: o for o in override_service.list_overrides(db, tenant=tenant)}
    return render(request, "review/tenant.html", {
        "tenant": tenant, "keys": keys, "members": tenant_service.list_members(db, tenant=tenant),
        "overrides": overrides, "rules": override_service.catalogue(), "deliveries": deliveries,
        "usage": stats.usage(db, caller, days=14, tenant_id=tenant.id), "is_platform": caller.is_platform,
        "labels": LABELS})
