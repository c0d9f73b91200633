from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from healthhub.core.config import get_settings
from healthhub.core.db import DbSession
from healthhub.core.errors import AppError
from healthhub.core.navigation import add_menu
from healthhub.core.templating import render
from healthhub.identity import service
from healthhub.identity.deps import SESSION_COOKIE, CurrentUser, OptionalUser
from healthhub.identity.ratelimit import login_limiter
from healthhub.identity.roles import ROLE_LABELS, Role

router = APIRouter(include_in_schema=False)
add_menu("首页", "/home", set(Role), order=0)


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never an open redirect to another host.
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/home"
    return target


@router.get("/")
def root(principal: OptionalUser):
    return RedirectResponse("/home" if principal else "/login", status_code=303)


@router.get("/login")
def login_page(request: Request, principal: OptionalUser, next: str | None = None):
    if principal:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "identity/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login_submit(request: Request, db: DbSession, username: Annotated[str, Form()],
                 password: Annotated[str, Form()], next: Annotated[str, Form()] = "/home"):
    client_ip = request.client.host if request.client else "unknown"
    try:
        login_limiter.check(client_ip)
        user = service.authenticate(db, username=username.strip(), password=password)
    except AppError as exc:
        db.commit()  # keep the failure counter
        return render(request, "identity/login.html", {"next": _safe_next(next), "error": exc.detail,
                                                        "username": username}, status_code=exc.status)
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
