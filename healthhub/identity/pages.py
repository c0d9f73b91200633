import hmac
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from healthhub.core.config import get_settings
from healthhub.core.context import client_ip_var
from healthhub.core.db import DbSession
from healthhub.core.errors import AppError
from healthhub.core.navigation import add_menu
from healthhub.core.security import new_opaque_token
from healthhub.core.templating import render
from healthhub.identity import service
from healthhub.identity.deps import SESSION_COOKIE, CurrentUser, OptionalUser, csrf_token_for
from healthhub.identity.ratelimit import login_limiter
from healthhub.identity.roles import ROLE_LABELS, Role

router = APIRouter(include_in_schema=False)
add_menu("首页", "/home", set(Role), order=0)
# Login CSRF (no session yet): a random cookie, and in the form a token derived from it with the server
# secret. Another site can neither read the cookie nor forge the token for a cookie it planted, so it
# cannot log a victim's browser into the attacker's account. API logins (JSON, no cookie) need neither.
LOGIN_CSRF_COOKIE = "hh_login_csrf"
STALE_FORM = "页面已过期或来自其他网站，请重新登录 / the login form expired or came from another site, please try again"


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never an open redirect to another host.
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/home"
    return target


@router.get("/")
def root(principal: OptionalUser):
    return RedirectResponse("/home" if principal else "/login", status_code=303)


def _login_form(request: Request, *, next: str, error: str | None = None, username: str = "",
                status_code: int = 200):
    form_cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or new_opaque_token()
    response = render(request, "identity/login.html", {"next": next, "error": error, "username": username,
                                                        "csrf_token": csrf_token_for(form_cookie)},
                      status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, form_cookie, httponly=True, samesite="lax",
                        secure=get_settings().cookie_secure, path="/login")
    return response


@router.get("/login")
def login_page(request: Request, principal: OptionalUser, next: str | None = None):
    if principal:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, next=_safe_next(next))


@router.post("/login")
def login_submit(request: Request, db: DbSession, username: Annotated[str, Form(max_length=64)],
                 password: Annotated[str, Form(max_length=256)], next: Annotated[str, Form()] = "/home",
                 csrf_token: Annotated[str, Form()] = ""):
    form_cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not form_cookie or not hmac.compare_digest(csrf_token, csrf_token_for(form_cookie)):
        return _login_form(request, next=_safe_next(next), error=STALE_FORM, username=username, status_code=403)
    client_ip = client_ip_var.get() or "unknown"
    try:
        login_limiter.check(client_ip)
        user = service.authenticate(db, username=username.strip(), password=password)
    except AppError as exc:
        db.commit()  # keep the failure counter
        return _login_form(request, next=_safe_next(next), error=exc.detail, username=username,
                           status_code=exc.status)
    token = service.open_session(db, user=user, client_ip=client_ip)
    response = RedirectResponse(_safe_next(next), status_code=303)
    settings = get_settings()
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.cookie_secure,
                        max_age=settings.session_hours * 3600, path="/")
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession, _principal: CurrentUser):
    if cookie := request.cookies.get(SESSION_COOKIE):
        service.close_session(db, token=cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/home")
def home(request: Request, principal: CurrentUser):
    return render(request, "identity/home.html", {"role_label": ROLE_LABELS[principal.role]})
