"""Tenant management API: clinics, API keys (shown once, rotatable, revocable), webhook settings and
deliveries, members and rule overrides. Operators and admins manage every tenant; a clinic admin
only its own, and any other tenant answers 404."""
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from healthhub.core import audit
from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import Conflict, Forbidden, NotFound
from healthhub.core.inputs import ResourceId
from healthhub.core.pagination import Page, PageParams, page_params, paginate
from healthhub.review import overrides as override_service
from healthhub.review import policies, webhooks
from healthhub.review import tenants as tenant_service
from healthhub.review.access import manageable_tenant
from healthhub.review.deps import PlatformUser, Reader, TenantManager
from healthhub.review.errors import ErrorCode
from healthhub.review.models import ApiKey, Tenant, WebhookDelivery
from healthhub.review.payloads import (DeliveryOut, KeyCreated, KeyIn, KeyOut, MemberIn, MemberOut, OverrideIn,
                                       OverrideOut, RotateIn, RuleOut, SecretOut, TenantCreate, TenantCreated,
                                       TenantOut, TenantUpdate)

router = APIRouter(prefix="/review")


def tenant_out(tenant: Tenant) -> TenantOut:
    return TenantOut(id=tenant.id, code=tenant.code, name=tenant.name, status=tenant.status,
                     webhook_url=tenant.webhook_url, auto_approve_pass=tenant.auto_approve_pass,
                     created_at=tenant.created_at)


def key_out(key: ApiKey) -> KeyOut:
    return KeyOut(id=key.id, label=key.label, prefix=key.prefix, state=tenant_service.key_state(key, utcnow()),
                  created_at=key.created_at, expires_at=key.expires_at, revoked_at=key.revoked_at,
                  last_used_at=key.last_used_at)


def delivery_out(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(id=delivery.id, event_id=delivery.event_id, event_type=delivery.event_type,
                       review_id=delivery.review_id, status=delivery.status, attempts=delivery.attempts,
                       next_attempt_at=delivery.next_attempt_at, last_status_code=delivery.last_status_code,
                       last_error=delivery.last_error, delivered_at=delivery.delivered_at,
                       created_at=delivery.created_at)


@router.get("/rules", response_model=list[RuleOut], summary="The rule catalogue (ids for overrides)")
def rules(_caller: Reader) -> list[dict]:
    return override_service.catalogue()


@router.post("/tenants", response_model=TenantCreated, status_code=201)
def create_tenant(body: TenantCreate, caller: PlatformUser, db: DbSession) -> TenantCreated:
    tenant, key, secret = tenant_service.create_tenant(db, code=body.code, name=body.name,
                                                       webhook_url=body.webhook_url,
                                                       auto_approve_pass=body.auto_approve_pass,
                                                       actor_user_id=caller.user_id)
    return TenantCreated(**dict(tenant_out(tenant)), api_key=key, webhook_secret=secret)


@router.get("/tenants", response_model=Page[TenantOut])
def list_tenants(caller: TenantManager, db: DbSession,
                 params: Annotated[PageParams, Depends(page_params)]) -> Page[TenantOut]:
    query = select(Tenant).order_by(Tenant.id)
    if not caller.is_platform:
        query = query.where(Tenant.id == caller.tenant_id)
    rows, total = paginate(db, query, params)
    return Page(items=[tenant_out(t) for t in rows], total=total, page=params.page, size=params.size)


@router.get("/tenants/{tenant_id}", response_model=TenantOut)
def get_tenant(tenant_id: ResourceId, caller: TenantManager, db: DbSession) -> TenantOut:
    return tenant_out(manageable_tenant(db, caller, tenant_id))


@router.patch("/tenants/{tenant_id}", response_model=TenantOut)
def update_tenant(tenant_id: ResourceId, body: TenantUpdate, caller: TenantManager, db: DbSession) -> TenantOut:
    tenant = manageable_tenant(db, caller, tenant_id)
    changes = body.model_dump(exclude_unset=True)
    if "status" in changes and not policies.can_change_tenant_status(caller):
        raise Forbidden("只有平台运营可以停用或启用租户 / only the platform may suspend a tenant",
                        code=ErrorCode.STATUS_CHANGE_FORBIDDEN)
    return tenant_out(tenant_service.update_tenant(db, tenant=tenant, changes=changes))


@router.post("/tenants/{tenant_id}/webhook-secret", response_model=SecretOut,
             summary="Rotate the webhook signing secret (shown once)")
def rotate_secret(tenant_id: ResourceId, caller: TenantManager, db: DbSession) -> SecretOut:
    tenant = manageable_tenant(db, caller, tenant_id)
    return SecretOut(webhook_secret=tenant_service.rotate_webhook_secret(db, tenant=tenant))


@router.get("/tenants/{tenant_id}/keys", response_model=list[KeyOut])
def list_keys(tenant_id: ResourceId, caller: TenantManager, db: DbSession) -> list[KeyOut]:
    return [key_out(k) for k in tenant_service.list_keys(db, tenant=manageable_tenant(db, caller, tenant_id))]


@router.post("/tenants/{tenant_id}/keys", response_model=KeyCreated, status_code=201)
def issue_key(tenant_id: ResourceId, body: KeyIn, caller: TenantManager, db: DbSession) -> KeyCreated:
    tenant = manageable_tenant(db, caller, tenant_id)
    key, plain = tenant_service.issue_key(db, tenant=tenant, label=body.label, actor_user_id=caller.user_id)
    return KeyCreated(**dict(key_out(key)), api_key=plain)


@router.post("/tenants/{tenant_id}/keys/{key_id}/rotate", response_model=KeyCreated, status_code=201)
def rotate_key(tenant_id: ResourceId, key_id: ResourceId, body: RotateIn, caller: TenantManager,
               db: DbSession) -> KeyCreated:
    tenant = manageable_tenant(db, caller, tenant_id)
    key = tenant_service.get_key(db, tenant=tenant, key_id=key_id)
    new_key, plain = tenant_service.rotate_key(db, tenant=tenant, key=key,
                                               grace=timedelta(minutes=body.grace_minutes),
                                               actor_user_id=caller.user_id)
    return KeyCreated(**dict(key_out(new_key)), api_key=plain)


@router.delete("/tenants/{tenant_id}/keys/{key_id}", response_model=KeyOut, summary="Revoke a key at once")
def revoke_key(tenant_id: ResourceId, key_id: ResourceId, caller: TenantManager, db: DbSession) -> KeyOut:
    tenant = manageable_tenant(db, caller, tenant_id)
    return key_out(tenant_service.revoke_key(db, key=tenant_service.get_key(db, tenant=tenant, key_id=key_id)))


@router.get("/tenants/{tenant_id}/members", response_model=list[MemberOut])
def list_members(tenant_id: ResourceId, caller: TenantManager, db: DbSession) -> list[MemberOut]:
    tenant = manageable_tenant(db, caller, tenant_id)
    return [MemberOut(user_id=u.id, username=u.username, display_name=u.display_name, role=m.role)
            for m, u in tenant_service.list_members(db, tenant=tenant)]


@router.post("/tenants/{tenant_id}/members", response_model=MemberOut, status_code=201)
def add_member(tenant_id: ResourceId, body: MemberIn, caller: TenantManager, db: DbSession) -> MemberOut:
    tenant = manageable_tenant(db, caller, tenant_id)
    if not policies.can_appoint_member(caller, body.role):
        raise Forbidden("只有平台运营可以指定诊所管理员 / only the platform appoints clinic admins",
                        code=ErrorCode.MEMBER_ROLE_FORBIDDEN)
    member = tenant_service.add_member(db, tenant=tenant, username=body.username, role=body.role)
    user = next(u for m, u in tenant_service.list_members(db, tenant=tenant) if m.id == member.id)
    return MemberOut(user_id=user.id, username=user.username, display_name=user.display_name, role=member.role)


@router.delete("/tenants/{tenant_id}/members/{user_id}", status_code=204)
def remove_member(tenant_id: ResourceId, user_id: ResourceId, caller: TenantManager, db: DbSession) -> None:
    tenant_service.remove_member(db, tenant=manageable_tenant(db, caller, tenant_id), user_id=user_id)


@router.get("/tenants/{tenant_id}/overrides", response_model=list[OverrideOut])
def list_overrides(tenant_id: ResourceId, caller: TenantManager, db: DbSession) -> list[OverrideOut]:
    tenant = manageable_tenant(db, caller, tenant_id)
    return [OverrideOut(rule=r.rule, disabled=r.disabled, severity=r.severity, updated_at=r.updated_at)
            for r in override_service.list_overrides(db, tenant=tenant)]


@router.put("/tenants/{tenant_id}/overrides/{rule}", response_model=OverrideOut,
            summary="Disable a rule or change its severity (never below the law's floor)")
def set_override(tenant_id: ResourceId, rule: str, body: OverrideIn, caller: TenantManager,
                 db: DbSession) -> OverrideOut:
    tenant = manageable_tenant(db, caller, tenant_id)
    row = override_service.set_override(db, tenant=tenant, rule=rule, disabled=body.disabled,
                                        severity=body.severity.value if body.severity else None,
                                        actor_user_id=caller.user_id)
    return OverrideOut(rule=row.rule, disabled=row.disabled, severity=row.severity, updated_at=row.updated_at)


@router.delete("/tenants/{tenant_id}/overrides/{rule}", status_code=204)
def clear_override(tenant_id: ResourceId, rule: str, caller: TenantManager, db: DbSession) -> None:
    override_service.clear_override(db, tenant=manageable_tenant(db, caller, tenant_id), rule=rule)


@router.get("/tenants/{tenant_id}/webhooks", response_model=Page[DeliveryOut], summary="Webhook deliveries")
def list_deliveries(tenant_id: ResourceId, caller: TenantManager, db: DbSession,
                    params: Annotated[PageParams, Depends(page_params)]) -> Page[DeliveryOut]:
    tenant = manageable_tenant(db, caller, tenant_id)
    query = select(WebhookDelivery).where(WebhookDelivery.tenant_id == tenant.id).order_by(WebhookDelivery.id.desc())
    rows, total = paginate(db, query, params)
    return Page(items=[delivery_out(d) for d in rows], total=total, page=params.page, size=params.size)


@router.post("/tenants/{tenant_id}/webhooks/{delivery_id}/redeliver", response_model=DeliveryOut)
def redeliver(tenant_id: ResourceId, delivery_id: ResourceId, caller: TenantManager, db: DbSession) -> DeliveryOut:
    tenant = manageable_tenant(db, caller, tenant_id)
    delivery = db.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.tenant_id != tenant.id:
        raise NotFound("投递记录不存在 / delivery not found", code=ErrorCode.DELIVERY_NOT_FOUND)
    if delivery.status != "dead":
        raise Conflict("只有已放弃的投递可以重发 / only dead deliveries can be sent again", code=ErrorCode.DELIVERY_NOT_DEAD)
    webhooks.redeliver(db, delivery=delivery)
    audit.record(db, action="review.webhook.redeliver", entity_type="review_webhook", entity_id=delivery.id,
                 detail={"tenant_id": tenant.id})
    return delivery_out(delivery)
