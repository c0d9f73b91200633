"""Authentication and permission dependencies, the one way every route states who may call it.

API callers send `Authorization: Bearer <access token>`; pages use the session cookie. Unsafe
methods authenticated by cookie must also carry the CSRF token (form field or X-CSRF-Token).
401: nobody recognised. 403: recognised, but the role may not do this.
"""
import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from healthhub.core.config import get_settings
from healthhub.core.context import Actor, actor_var
from healthhub.core.db import DbSession
from healthhub.core.errors import Forbidden, Unauthorized
from healthhub.core.permissions import ANY_USER, gate, role_gate
from healthhub.core.security import token_digest
from healthhub.identity import service
from healthhub.identity.errors import ErrorCode
from healthhub.identity.roles import ROLE_LABELS
from healthhub.identity.service import Principal

SESSION_COOKIE = "hh_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def csrf_token_for(session_token: str) -> str:
    return hmac.new(get_settings().secret_key.encode(), token_digest(session_token).encode(), "sha256").hexdigest()


async def supplied_csrf(request: Request) -> str | None:
    """The CSRF token an unsafe cookie request carries. Async because a form body must be awaited,
    and therefore free of database work: the event loop never waits on the database."""
    if request.method in SAFE_METHODS or SESSION_COOKIE not in request.cookies:
        return None
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _authenticate(request: Request, db: DbSession,
                  supplied: Annotated[str | None, Depends(supplied_csrf)]) -> Principal | None:
    # Plain def: FastAPI runs it in the threadpool, so waiting on a row lock blocks one thread, not the server.
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return service.principal_from_access_token(db, token=authorization[7:].strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        return None
    principal = service.principal_from_session(db, token=cookie)
    request.state.csrf = csrf_token_for(cookie) if principal else ""
    if principal is not None and request.method not in SAFE_METHODS:
        if not supplied or not hmac.compare_digest(supplied, csrf_token_for(cookie)):
            raise Forbidden("页面已过期，请刷新后重试 / missing or stale CSRF token, reload the page",
                            code=ErrorCode.CSRF_FAILED)
    return principal


async def optional_principal(request: Request,
                             principal: Annotated[Principal | None, Depends(_authenticate)]) -> Principal | None:
    # Set here, in the request's own context: a value set inside a threadpool call stays in that thread's
    # copy and would never reach the handler or the audit trail.
    if principal is not None:
        actor_var.set(Actor(user_id=principal.id, username=principal.username, role=principal.role.value))
        request.state.principal = principal
    return principal


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("请先登录 / authentication required", code=ErrorCode.UNAUTHENTICATED)
    return principal


# The route × role table (core/permissions.py) reads each route's audience from these gates.
gate(current_principal, ANY_USER)
CurrentUser = Annotated[Principal, Depends(current_principal)]
OptionalUser = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: str, authenticate: Callable[..., Any] = current_principal) -> Callable[..., Any]:
    """The route-level permission, declared once per route: only these roles get past (403 for the others).

    `authenticate` says who the caller is: the signed-in user by default; the review service passes its
    caller, which may also be a tenant API key (role `api_key`). What each caller may do with a particular
    object is asked of the domain's `policies.py`."""
    return role_gate(authenticate, roles, labels=ROLE_LABELS)
