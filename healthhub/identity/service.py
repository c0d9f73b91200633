"""Identity use cases: accounts, login with lockout, tokens and browser sessions. Callers commit."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.config import get_settings
from healthhub.core.context import client_ip_var
from healthhub.core.crypto import field_cipher
from healthhub.core.db import utcnow
from healthhub.core.errors import Conflict, NotFound, Unauthorized
from healthhub.core.identity_numbers import mask_id_number, mask_mobile
from healthhub.core.security import (create_token, decode_token, hash_password, new_opaque_token, token_digest,
                                     token_user_id, verify_password)
from healthhub.identity import ratelimit
from healthhub.identity.errors import ErrorCode
from healthhub.identity.models import RefreshToken, User, UserSession
from healthhub.identity.passwords import check_password_policy
from healthhub.identity.roles import Role
from healthhub.identity.schemas import TokenPair, UserCreate, UserOut

BAD_CREDENTIALS = "用户名或密码错误 / wrong username or password"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as every other domain sees it."""

    id: int
    username: str
    display_name: str
    role: Role


def principal_of(user: User) -> Principal:
    return Principal(id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role))


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role),
                   mobile_masked=mask_mobile(user.mobile) if user.mobile else None,
                   id_number_masked=mask_id_number(user.id_number) if user.id_number else None,
                   is_active=user.is_active, created_at=user.created_at)


def create_user(session: Session, *, data: UserCreate) -> User:
    check_password_policy(data.password, username=data.username)
    cipher = field_cipher()
    if session.execute(select(User.id).where(User.username == data.username)).first():
        raise Conflict(f"用户名 {data.username} 已存在 / username already taken", code=ErrorCode.USERNAME_TAKEN)
    mobile_index = cipher.blind_index(data.mobile) if data.mobile else None
    if mobile_index and session.execute(select(User.id).where(User.mobile_index == mobile_index)).first():
        raise Conflict("该手机号已注册 / this mobile number is already registered", code=ErrorCode.MOBILE_TAKEN)
    id_index = cipher.blind_index(data.id_number) if data.id_number else None
    if id_index and session.execute(select(User.id).where(User.id_number_index == id_index)).first():
        raise Conflict("该身份证号已注册 / this ID number is already registered", code=ErrorCode.ID_NUMBER_TAKEN)
    user = User(username=data.username, display_name=data.display_name, role=data.role.value,
                password_hash=hash_password(data.password), mobile=data.mobile, mobile_index=mobile_index,
                id_number=data.id_number, id_number_index=id_index)
    session.add(user)
    session.flush()
    audit.record(session, action="user.create", entity_type="user", entity_id=user.id,
                 detail={"username": user.username, "role": user.role})
    return user


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在 / user not found")
    return user


def principal_by_username(session: Session, *, username: str) -> Principal | None:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    return principal_of(user) if user is not None else None


def principals_by_id(session: Session, *, user_ids: Iterable[int]) -> dict[int, Principal]:
    """Who these users are (name and role), for other domains showing who did what."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    return {user.id: principal_of(user) for user in session.execute(select(User).where(User.id.in_(wanted))).scalars()}


def find_by_mobile(session: Session, *, mobile: str) -> User | None:
    index = field_cipher().blind_index(mobile)
    return session.execute(select(User).where(User.mobile_index == index)).scalar_one_or_none()


def authenticate(session: Session, *, username: str, password: str) -> User:
    """Checks a password. After N failures in a row from one address, that (username, address) pair
    is locked, for longer each time (see identity.ratelimit); other addresses are unaffected.

    An unknown username takes the same steps as a known one (a pair row, an argon2 check against a
    dummy hash, the same answers and lockouts), so neither answers nor timing reveal which exist.
    The failure counter is written even though the login fails, so the caller must commit after an
    error from here (see api.login).
    """
    client_ip = client_ip_var.get() or "unknown"
    now = utcnow()
    pair = ratelimit.failure_pair(session, username=username, client_ip=client_ip)
    ratelimit.refuse_if_locked(pair, now)
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if not verify_password(password, user.password_hash if user else None) or not user.is_active:
        if ratelimit.record_failure(session, pair=pair, username=username, client_ip=client_ip, now=now):
            # Entity is the pair, never the account: the trail must not say whether the name exists.
            audit.record(session, action="login.locked", entity_type="login-pair", entity_id=client_ip, detail={})
        raise Unauthorized(BAD_CREDENTIALS, code=ErrorCode.BAD_CREDENTIALS)
    ratelimit.clear(session, pair)
    user.last_login_at = now
    return user


def issue_tokens(session: Session, *, user: User, family: str | None = None) -> TokenPair:
    settings = get_settings()
    access = create_token(str(user.id), "access", timedelta(minutes=settings.access_token_minutes), role=user.role)
    lifetime = timedelta(days=settings.refresh_token_days)
    refresh = create_token(str(user.id), "refresh", lifetime)
    claims = decode_token(refresh, "refresh")
    session.add(RefreshToken(user_id=user.id, jti=claims["jti"], family=family or claims["jti"],
                             expires_at=utcnow() + lifetime))
    session.flush()
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=settings.access_token_minutes * 60)


def refresh_tokens(session: Session, *, refresh_token: str) -> TokenPair:
    try:
        claims = decode_token(refresh_token, "refresh")
    except jwt.PyJWTError as exc:
        raise Unauthorized("刷新令牌无效或已过期 / refresh token invalid or expired", code=ErrorCode.BAD_TOKEN) from exc
    stored = session.execute(select(RefreshToken).where(RefreshToken.jti == claims["jti"]).with_for_update()
                             ).scalar_one_or_none()
    if stored is None or stored.revoked_at is not None:
        raise Unauthorized("刷新令牌已失效 / refresh token revoked", code=ErrorCode.BAD_TOKEN)
    if stored.used_at is not None:
        # Someone replays a rotated token: assume theft and end the whole family.
        session.execute(update(RefreshToken).where(RefreshToken.family == stored.family).values(revoked_at=utcnow()))
        raise Unauthorized("刷新令牌已被使用，请重新登录 / refresh token reuse detected, please log in again",
                           code=ErrorCode.TOKEN_REUSED)
    stored.used_at = utcnow()
    user = get_user(session, user_id=stored.user_id)
    if not user.is_active:
        raise Unauthorized("账户已停用 / account disabled", code=ErrorCode.ACCOUNT_DISABLED)
    return issue_tokens(session, user=user, family=stored.family)


def principal_from_access_token(session: Session, *, token: str) -> Principal:
    try:
        user_id = token_user_id(decode_token(token, "access"))
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("登录已过期，请刷新令牌或重新登录 / access token expired", code=ErrorCode.TOKEN_EXPIRED) from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("访问令牌无效 / invalid access token", code=ErrorCode.BAD_TOKEN) from exc
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise Unauthorized("账户不存在或已停用 / account missing or disabled", code=ErrorCode.ACCOUNT_DISABLED)
    return principal_of(user)


def open_session(session: Session, *, user: User, client_ip: str | None) -> str:
    token = new_opaque_token()
    now = utcnow()
    session.add(UserSession(user_id=user.id, token_digest=token_digest(token), created_at=now,
                            expires_at=now + timedelta(hours=get_settings().session_hours), client_ip=client_ip))
    session.flush()
    return token


def principal_from_session(session: Session, *, token: str) -> Principal | None:
    row = session.execute(select(UserSession).where(UserSession.token_digest == token_digest(token))
                          ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return principal_of(user) if user and user.is_active else None


def close_session(session: Session, *, token: str) -> None:
    session.execute(update(UserSession).where(UserSession.token_digest == token_digest(token))
                    .values(revoked_at=utcnow()))
