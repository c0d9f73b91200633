"""Authentication for the review service: a tenant API key (`X-Api-Key`) or a user token/session.

401 when nobody is recognised (or the key is wrong, revoked or expired); 403 when the caller is
recognised but its role may not use the endpoint.
"""
from typing import Annotated

from fastapi import Depends, Request

from healthhub.core.context import Actor, actor_var
from healthhub.core.db import DbSession
from healthhub.core.errors import Unauthorized
from healthhub.identity.deps import OptionalUser, require_roles
from healthhub.identity.roles import Role
from healthhub.review import tenants as tenant_service
from healthhub.review.access import user_caller
from healthhub.review.errors import ErrorCode
from healthhub.review.policies import API_KEY_ROLE, Caller

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
                           code=ErrorCode.UNAUTHENTICATED)
    return user_caller(db, user_id=principal.id, role=principal.role), None


async def review_caller(identified: Annotated[tuple[Caller, Actor | None], Depends(_identify)]) -> Caller:
    caller, actor = identified
    if actor is not None:
        # Set in the request's own context, not in the threadpool's copy, so the audit trail sees the tenant key.
        actor_var.set(actor)
    return caller


SUBMITTERS = (API_KEY_ROLE, Role.PHARMACIST, Role.DOCTOR, Role.CLINIC_ADMIN)
READERS = (API_KEY_ROLE, Role.PHARMACIST, Role.DOCTOR, Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
STATS_READERS = (API_KEY_ROLE, Role.PHARMACIST, Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
TENANT_MANAGERS = (Role.CLINIC_ADMIN, Role.OPERATOR, Role.ADMIN)
PLATFORM = (Role.OPERATOR, Role.ADMIN)


Submitter = Annotated[Caller, Depends(require_roles(*SUBMITTERS, authenticate=review_caller))]
Reader = Annotated[Caller, Depends(require_roles(*READERS, authenticate=review_caller))]
StatsReader = Annotated[Caller, Depends(require_roles(*STATS_READERS, authenticate=review_caller))]
Pharmacist = Annotated[Caller, Depends(require_roles(Role.PHARMACIST, authenticate=review_caller))]
Clinic = Annotated[Caller, Depends(require_roles(API_KEY_ROLE, Role.CLINIC_ADMIN, authenticate=review_caller))]
TenantManager = Annotated[Caller, Depends(require_roles(*TENANT_MANAGERS, authenticate=review_caller))]
PlatformUser = Annotated[Caller, Depends(require_roles(*PLATFORM, authenticate=review_caller))]
