"""Authentication for the review service: a tenant API key (`X-Api-Key`) or a user token/session.

401 when nobody is recognised (or the key is wrong, revoked or expired); 403 when the caller is
recognised but its role may not use the endpoint.
"""
from typing import Annotated

from fastapi import Depends, Request

from healthhub.core.context import Actor, actor_var
from healthhub.core.db import DbSession
from healthhub.core.errors import Forbidden, Unauthorized
from healthhub.core.permissions import Access, gate
from healthhub.identity.deps import OptionalUser
from healthhub.identity.roles import Role
from healthhub.review import tenants as tenant_service
from healthhub.review.access import API_KEY_ROLE, Caller, user_caller

API_KEY_HEADER = "x-api-key"


def _identify(request: Request, db: DbSession, principal: OptionalUser) -> tuple[Caller, Actor | None]:
    # Plain def: the key lookup runs in the threadpool, never on the event loop.
    plain = request.headers.get(API_KEY_HEADER)
    if plain:
        key, tenant = tenant_service.authenticate_key(db, plain=plain)
        actor = Actor(user_id=None, username=f"tenant:{tenant.code}:{key.prefix}", role=API_KEY_ROLE)
        return Caller(role=API_KEY_ROLE, tenant_id=tenant.id, api_key_id=key.id), actor
    if principal is None:
        raise Unauthorized("请提供 X-Api-Key 或登录令牌 / send an X-Api-Key header or a bearer token",
                           code="unauthenticated")
    return user_caller(db, user_id=principal.id, role=principal.role), None


async def review_caller(identified: Annotated[tuple[Caller, Actor | None], Depends(_identify)]) -> Caller:
    caller, actor = identified
    if actor is not None:
        # Set in the request's own context, not in the threadpool's copy, so the audit trail sees the tenant key.
        actor_var.set(actor)
    return caller


def callers(*roles: str):
    """Dependency admitting the given roles (Role values or "api_key")."""
    allowed = frozenset(str(r) for r in roles)

    async def dependency(caller: Annotated[Caller, Depends(review_caller)]) -> Caller:
        if caller.role not in allowed:
            names = "、".join(sorted(allowed))
            raise Forbidden(f"当前身份无权执行此操作（需要：{names}）/ not allowed for your role (needs: {names})",
                            code="forbidden-role")
        return caller

    return gate(dependency, Access.for_roles(allowed))


SUBMITTERS = (API_KEY_ROLE, Role.PHARMACIST, Role.DOCTOR, Role.CLINIC_ADMIN)
READERS = (API_KEY_ROLE, Role.PHARMACIST, Role.DOCTOR, Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
STATS_READERS = (API_KEY_ROLE, Role.PHARMACIST, Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
TENANT_MANAGERS = (Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
PLATFORM = (Role.OPERATOR, Role.ADMIN)

Submitter = Annotated[Caller, Depends(callers(*SUBMITTERS))]
Reader = Annotated[Caller, Depends(callers(*READERS))]
StatsReader = Annotated[Caller, Depends(callers(*STATS_READERS))]
Pharmacist = Annotated[Caller, Depends(callers(Role.PHARMACIST))]
Clinic = Annotated[Caller, Depends(callers(API_KEY_ROLE, Role.CLINIC_ADMIN))]
TenantManager = Annotated[Caller, Depends(callers(*TENANT_MANAGERS))]
PlatformUser = Annotated[Caller, Depends(callers(*PLATFORM))]
