"""One error shape for the whole platform: RFC 9457 problem+json.

Domains raise `AppError` subclasses (or `AppError` with their own code); handlers render them.
No stack trace or internal message ever reaches a client.
"""
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://healthhub.dev/problems/"

log = logging.getLogger("healthhub.errors")


class AppError(Exception):
    """A failure a person can understand and act on. `code` is a stable machine-readable slug."""

    status = 400
    code = "bad-request"
    title = "请求有误"

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None,
                 title: str | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        if title:
            self.title = title
        self.extra = extra


class NotFound(AppError):
    status, code, title = 404, "not-found", "未找到"


class Conflict(AppError):
    status, code, title = 409, "conflict", "状态冲突"


class Unauthorized(AppError):
    status, code, title = 401, "unauthenticated", "需要登录"


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "没有权限"


class RuleViolation(AppError):
    """A business or regulatory rule refuses the request (e.g. RX-03, OD-01)."""

    status, code, title = 422, "rule-violation", "不符合业务规则"


class TooManyRequests(AppError):
    status, code, title = 429, "too-many-requests", "请求过于频繁"


def problem(status: int, title: str, detail: str, code: str, instance: str | None = None,
            **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple) -> str:
    # ("body", "items", 0, "drug") -> "items[0].drug": what a person reading the form would call it.
    path = ""
    for part in loc:
        if part in ("body", "query", "path", "header", "cookie") and not path:
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def validation_errors(errors: list[dict]) -> list[dict]:
    return [{"field": _field_path(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid value"),
             "type": e.get("type", "value_error")} for e in errors]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError):
        return problem(exc.status, exc.title, exc.detail, exc.code, request.url.path, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = validation_errors(exc.errors())
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "输入校验失败", f"请检查输入 / invalid input: {summary}", "validation-error",
                       request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        messages = {404: ("未找到", "请求的资源不存在 / not found"),
                    405: ("方法不允许", "该地址不支持此方法 / method not allowed")}
        title, detail = messages.get(exc.status_code, ("请求失败", str(exc.detail)))
        return problem(exc.status_code, title, detail, f"http-{exc.status_code}", request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        request_id = getattr(request.state, "request_id", None)
        response = problem(500, "服务器内部错误", "服务暂时出现问题，请稍后重试 / internal error, please retry later",
                           "internal-error", request.url.path, request_id=request_id)
        if request_id:
            # The middleware never sees this response (the error escaped it), so tag it here for support.
            response.headers["X-Request-ID"] = request_id
        return response
