"""Tenants of the cloud review centre: clinics, their API keys, members and webhook secret.

Keys and webhook secrets are shown once, when created; the database keeps only the key's SM3
digest (a leak yields no usable key) and the secret encrypted with SM4 (we need it to sign).
"""
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core import audit, outbound
from healthhub.core.config import get_settings
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, Forbidden, NotFound, RuleViolation, Unauthorized
from healthhub.core.security import token_digest
from healthhub.identity.service import Principal, principal_by_username, principals_by_id
from healthhub.identity.roles import Role
from healthhub.review import policies
from healthhub.review.errors import ErrorCode
from healthhub.review.models import ApiKey, Tenant, TenantMember

KEY_PREFIX = "hhk_"
SECRET_PREFIX = "whsec_"
MAX_GRACE = timedelta(days=7)
MEMBER_ROLES = (Role.CLINIC_ADMIN.value, Role.PHARMACIST.value)
_CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,31}$")


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def validate_webhook_url(url: str | None) -> str | None:
    """https to a public address only (no SSRF into our network), unless the operator allowed the host."""
    if not url:
        return None
    try:
        outbound.check_url(url, allowed_hosts=get_settings().webhook_allowed_hosts)
    except outbound.NotAnHttpUrl as exc:
        raise RuleViolation(f"Webhook {exc}", code=ErrorCode.WEBHOOK_URL_INVALID) from exc
    except outbound.HostNotFound as exc:
        raise RuleViolation(f"Webhook {exc}", code=ErrorCode.WEBHOOK_URL_UNRESOLVABLE) from exc
    except outbound.DestinationRefused as exc:
        raise RuleViolation(f"Webhook {exc}（可由运维在 HEALTHHUB_WEBHOOK_ALLOWED_HOSTS 中放行 / an operator may "
                            "allow the host in HEALTHHUB_WEBHOOK_ALLOWED_HOSTS）", code=ErrorCode.WEBHOOK_URL_REFUSED) from exc
    return url


def get_tenant(session: Session, *, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("租户不存在 / tenant not found", code=ErrorCode.TENANT_NOT_FOUND)
    return tenant


def create_tenant(session: Session, *, code: str, name: str, webhook_url: str | None,
                  auto_approve_pass: bool, actor_user_id: int | None) -> tuple[Tenant, str, str]:
    """Returns the tenant, its first API key and its webhook secret, in clear for the only time."""
    if not _CODE_PATTERN.match(code):
        raise RuleViolation("租户编码须为3–32位小写字母、数字或连字符 / tenant code must be 3–32 lowercase letters, "
                            "digits or hyphens", code=ErrorCode.TENANT_CODE_INVALID)
    if session.execute(select(Tenant.id).where(Tenant.code == code)).first():
        raise Conflict(f"租户编码 {code} 已存在 / tenant code already taken", code=ErrorCode.TENANT_CODE_TAKEN)
    secret = new_webhook_secret()
    tenant = Tenant(code=code, name=name.strip(), webhook_url=validate_webhook_url(webhook_url),
                    webhook_secret=secret, auto_approve_pass=auto_approve_pass)
    session.add(tenant)
    session.flush()
    audit.record(session, action="review.tenant.create", entity_type="review_tenant", entity_id=tenant.id,
                 detail={"code": code, "name": tenant.name, "webhook_url": tenant.webhook_url,
                         "auto_approve_pass": auto_approve_pass})
    _, key = issue_key(session, tenant=tenant, label="默认密钥", actor_user_id=actor_user_id)
    return tenant, key, secret


def update_tenant(session: Session, *, tenant: Tenant, changes: dict) -> Tenant:
    if "webhook_url" in changes:
        changes["webhook_url"] = validate_webhook_url(changes["webhook_url"])
    if "status" in changes and changes["status"] not in ("active", "suspended"):
        raise RuleViolation("状态只能是 active 或 suspended / status must be active or suspended",
                            code=ErrorCode.TENANT_STATUS_INVALID)
    before = {field: getattr(tenant, field) for field in changes}
    for field, value in changes.items():
        setattr(tenant, field, value)
    session.flush()
    audit.record(session, action="review.tenant.update", entity_type="review_tenant", entity_id=tenant.id,
                 detail={"before": before, "after": changes})
    return tenant


def rotate_webhook_secret(session: Session, *, tenant: Tenant) -> str:
    secret = new_webhook_secret()
    tenant.webhook_secret = secret
    session.flush()
    audit.record(session, action="review.tenant.webhook_secret_rotate", entity_type="review_tenant",
                 entity_id=tenant.id, detail={})
    return secret


def issue_key(session: Session, *, tenant: Tenant, label: str, actor_user_id: int | None) -> tuple[ApiKey, str]:
    plain = new_api_key()
    key = ApiKey(tenant_id=tenant.id, label=label.strip() or "API 密钥", prefix=plain[:12],
                 key_digest=token_digest(plain), created_by_user_id=actor_user_id)
    session.add(key)
    session.flush()
    audit.record(session, action="review.api_key.issue", entity_type="review_api_key", entity_id=key.id,
                 detail={"tenant_id": tenant.id, "prefix": key.prefix, "label": key.label})
    return key, plain


def get_key(session: Session, *, tenant: Tenant, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.tenant_id != tenant.id:
        raise NotFound("API 密钥不存在 / API key not found", code=ErrorCode.API_KEY_NOT_FOUND)
    return key


def key_state(key: ApiKey, now: datetime) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None:
        return "expired" if key.expires_at <= now else "grace"
    return "active"


def rotate_key(session: Session, *, tenant: Tenant, key: ApiKey, grace: timedelta,
               actor_user_id: int | None, now: datetime | None = None) -> tuple[ApiKey, str]:
    """Issues the successor; the old key stops at once or, with a grace period, at now + grace."""
    now = now or utcnow()
    if key_state(key, now) not in ("active", "grace"):
        raise Conflict("该密钥已失效，无法轮换 / this key is no longer valid and cannot be rotated",
                       code=ErrorCode.API_KEY_INACTIVE)
    if grace < timedelta(0) or grace > MAX_GRACE:
        raise RuleViolation("宽限期须在0到7天之间 / grace period must be between 0 and 7 days",
                            code=ErrorCode.GRACE_OUT_OF_RANGE)
    new_key, plain = issue_key(session, tenant=tenant, label=key.label, actor_user_id=actor_user_id)
    key.replaced_by_id = new_key.id
    if grace:
        key.expires_at = now + grace
    else:
        key.revoked_at = now
    session.flush()
    audit.record(session, action="review.api_key.rotate", entity_type="review_api_key", entity_id=key.id,
                 detail={"tenant_id": tenant.id, "replaced_by": new_key.id, "grace_seconds": int(grace.total_seconds())})
    return new_key, plain


def revoke_key(session: Session, *, key: ApiKey, now: datetime | None = None) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = now or utcnow()
        session.flush()
        audit.record(session, action="review.api_key.revoke", entity_type="review_api_key", entity_id=key.id,
                     detail={"tenant_id": key.tenant_id, "prefix": key.prefix})
    return key


def authenticate_key(session: Session, *, plain: str, now: datetime | None = None) -> tuple[ApiKey, Tenant]:
    now = now or utcnow()
    key = session.execute(select(ApiKey).where(ApiKey.key_digest == token_digest(plain.strip()))).scalar_one_or_none()
    if key is None or key_state(key, now) not in ("active", "grace"):
        raise Unauthorized("API 密钥无效、已吊销或已过期 / API key invalid, revoked or expired", code=ErrorCode.BAD_API_KEY)
    tenant = session.get(Tenant, key.tenant_id)
    if tenant is None or tenant.status != "active":
        raise Forbidden("租户已停用 / this tenant is suspended", code=ErrorCode.TENANT_SUSPENDED)
    key.last_used_at = now
    return key, tenant


def list_keys(session: Session, *, tenant: Tenant) -> list[ApiKey]:
    return list(session.execute(select(ApiKey).where(ApiKey.tenant_id == tenant.id).order_by(ApiKey.id.desc()))
                .scalars())


def add_member(session: Session, *, tenant: Tenant, username: str, role: str) -> TenantMember:
    if role not in MEMBER_ROLES:
        raise RuleViolation("成员角色只能是诊所管理员或药师 / members are clinic_admin or pharmacist users",
                            code=ErrorCode.MEMBER_ROLE_INVALID)
    user = principal_by_username(session, username=username)
    if user is not None and session.execute(select(TenantMember.id).where(
            TenantMember.tenant_id == tenant.id, TenantMember.user_id == user.id)).first():
        raise Conflict("该用户已是此租户成员 / already a member of this tenant", code=ErrorCode.MEMBER_EXISTS)
    # One clinic per administrator keeps "my clinic" unambiguous for tokens and pages.
    taken = role == Role.CLINIC_ADMIN.value and user is not None and clinic_admin_tenant_id(session, user_id=user.id)
    if user is None or not policies.can_join_tenant_as(user.role, role) or taken:
        # One answer for all three: a clinic admin must not learn which usernames exist, their roles, or
        # which administrators serve other clinics.
        raise RuleViolation(f"无法添加用户 {username}：用户不存在，或不是可加入本租户的{role}账户 / cannot add "
                            f"{username}: no such user, or not a {role} account that may join this tenant",
                            code=ErrorCode.MEMBER_NOT_ADDABLE)
    member = TenantMember(tenant_id=tenant.id, user_id=user.id, role=role)
    session.add(member)
    session.flush()
    audit.record(session, action="review.member.add", entity_type="review_tenant", entity_id=tenant.id,
                 detail={"user_id": user.id, "role": role})
    return member


def remove_member(session: Session, *, tenant: Tenant, user_id: int) -> None:
    member = session.execute(select(TenantMember).where(TenantMember.tenant_id == tenant.id,
                                                        TenantMember.user_id == user_id)).scalar_one_or_none()
    if member is None:
        raise NotFound("该用户不是此租户成员 / not a member of this tenant", code=ErrorCode.MEMBER_NOT_FOUND)
    session.delete(member)
    session.flush()
    audit.record(session, action="review.member.remove", entity_type="review_tenant", entity_id=tenant.id,
                 detail={"user_id": user_id, "role": member.role})


def list_members(session: Session, *, tenant: Tenant) -> list[tuple[TenantMember, Principal]]:
    members = session.execute(select(TenantMember).where(TenantMember.tenant_id == tenant.id)).scalars().all()
    users = principals_by_id(session, user_ids=[member.user_id for member in members])
    return sorted(((member, users[member.user_id]) for member in members),
                  key=lambda pair: (pair[0].role, pair[1].username))


def clinic_admin_tenant_id(session: Session, *, user_id: int) -> int | None:
    return session.execute(select(TenantMember.tenant_id).where(
        TenantMember.user_id == user_id, TenantMember.role == Role.CLINIC_ADMIN.value)).scalar_one_or_none()


def pharmacist_tenant_ids(session: Session, *, user_id: int) -> set[int]:
    return set(session.execute(select(TenantMember.tenant_id).where(
        TenantMember.user_id == user_id, TenantMember.role == Role.PHARMACIST.value)).scalars())
