from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from healthhub.core.context import client_ip_var
from healthhub.core.db import DbSession
from healthhub.core.errors import AppError
from healthhub.core.pagination import Page, PageParams, page_params, paginate
from healthhub.identity import service
from healthhub.identity.deps import CurrentUser, require_roles
from healthhub.identity.models import User
from healthhub.identity.ratelimit import login_limiter
from healthhub.identity.roles import Role
from healthhub.identity.schemas import LoginIn, RefreshIn, TokenPair, UserCreate, UserOut

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.post("/auth/token", response_model=TokenPair, summary="Log in and get access + refresh tokens")
def login(body: LoginIn, db: DbSession) -> TokenPair:
    login_limiter.check(client_ip_var.get() or "unknown")
    try:
        user = service.authenticate(db, username=body.username, password=body.password)
    except AppError:
        # Keep the failure counter (and a lockout) even though this request fails.
        db.commit()
        raise
    return service.issue_tokens(db, user=user)


@router.post("/auth/refresh", response_model=TokenPair, summary="Rotate a refresh token")
def refresh(body: RefreshIn, db: DbSession) -> TokenPair:
    try:
        return service.refresh_tokens(db, refresh_token=body.refresh_token)
    except AppError:
        db.commit()  # a detected reuse must stay revoked
        raise


@router.get("/me", response_model=UserOut)
def me(principal: CurrentUser, db: DbSession) -> UserOut:
    return service.user_out(service.get_user(db, user_id=principal.id))


@router.get("/users", response_model=Page[UserOut], dependencies=[Depends(require_roles(Role.ADMIN))])
def list_users(db: DbSession, params: Annotated[PageParams, Depends(page_params)],
               role: Role | None = None) -> Page[UserOut]:
    query = select(User).order_by(User.id)
    if role:
        query = query.where(User.role == role.value)
    rows, total = paginate(db, query, params)
    return Page(items=[service.user_out(u) for u in rows], total=total, page=params.page, size=params.size)


@router.post("/users", response_model=UserOut, status_code=201, dependencies=[Depends(require_roles(Role.ADMIN))])
def create_user(body: UserCreate, db: DbSession) -> UserOut:
    return service.user_out(service.create_user(db, data=body))
