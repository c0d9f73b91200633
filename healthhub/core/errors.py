"""One error shape for the whole platform: RFC 9457 problem+json.

Domains raise `AppError` subclasses (or `AppError` with their own code); handlers render them.
No stack trace or internal message ever reaches a client.
"""
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from healthhub.core.error_codes import ErrorCode

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://healthhub.dev/problems/"

log = logging.getLogger("healthhub.errors")


class AppError(Exception):
    """A failure a person can understand and act on. `code` is a stable machine-readable slug."""

    status = 400
    code = "bad-request"
    title = "请求有误"
    retry_after: int | None = None  # seconds, sent as Retry-After: the same request may succeed later

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


class ServiceBusy(AppError):
    """Overload, not a fault: no free database connection, or a lock or statement waited too long."""

    status, code, title, retry_after = 503, "service-busy", "服务繁忙", 2


class ConcurrentUpdate(Conflict):
    """The database refused one of two concurrent transactions (serialization failure or deadlock)."""

    code, title, retry_after = "concurrent-update", "并发冲突", 1


# PostgreSQL SQLSTATEs that mean "too busy right now" or "lost a race", never "broken".
_BUSY_SQLSTATES = {
    "55P03": ("lock-timeout", "数据正被其他操作占用，请稍后重试 / the data is locked by another operation, retry shortly"),
    "57014": ("statement-timeout", "处理超时，请稍后重试 / the request took too long, retry shortly"),
}
_RACE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def database_busy(exc: SQLAlchemyError) -> AppError | None:
    """The client-facing error for a database failure caused by load or contention; None for a real fault."""
    if isinstance(exc, PoolTimeout):
        return ServiceBusy("服务繁忙，请稍后重试 / the server is busy, please retry shortly", code=ErrorCode.SERVER_BUSY)
    cause = getattr(exc, "orig", None)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in _BUSY_SQLSTATES:
        code, detail = _BUSY_SQLSTATES[sqlstate]
        return ServiceBusy(detail, code=code)
    if sqlstate in _RACE_SQLSTATES:
        return ConcurrentUpdate("与其他操作同时修改了同一数据，请重试 / another operation changed the same data, "
                                "please retry")
    if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
        return ServiceBusy("数据库繁忙，请稍后重试 / the database is busy, retry shortly", code=ErrorCode.DATABASE_LOCKED)
    return None


def problem(status: int, title: str, detail: str, code: str, instance: str | None = None,
            retry_after: int | None = None, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                        headers=_error_headers(status, retry_after))


def _error_headers(status: int, retry_after: int | None) -> dict[str, str]:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers


# (status, title, detail, code, extra) -> (body, media type): an error in the shape a standard API must use.
ErrorBody = Callable[[int, str, str, str, dict[str, Any]], tuple[dict[str, Any], str]]
# An API bound by a standard of its own (FHIR answers errors as OperationOutcome) renders its errors under its
# path prefix; every other path keeps problem+json. The domain serving the prefix registers it.
_ERROR_BODIES_BY_PREFIX: dict[str, ErrorBody] = {}


def render_errors_under(prefix: str, error_body: ErrorBody) -> None:
    """`prefix` ends with "/": "/fhir/" covers /fhir and everything below it, not /fhirx."""
    _ERROR_BODIES_BY_PREFIX[prefix] = error_body


def error_response(request: Request, status: int, title: str, detail: str, code: str,
                   retry_after: int | None = None, **extra: Any) -> JSONResponse:
    """The error for this request's path: the prefix's own shape where one is registered, else problem+json."""
    path = request.url.path + "/"
    for prefix, error_body in _ERROR_BODIES_BY_PREFIX.items():
        if path.startswith(prefix):
            body, media_type = error_body(status, title, detail, code, extra)
            return JSONResponse(body, status_code=status, media_type=media_type,
                                headers=_error_headers(status, retry_after))
    return problem(status, title, detail, code, request.url.path, retry_after, **extra)


def _field_path(loc: tuple) -> str:
    # ("body", "items", 0, "drug") -> "items[0].drug": what a person reading the form would call it.
    path = ""
    for part in loc:
        if part in ("body", "query", "path", "header", "cookie") and not path:
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


# Pydantic's error types in the words of a Chinese form; placeholders come from the error's `ctx`.
_CHINESE_MESSAGES = {
    "missing": "必填", "extra_forbidden": "不支持的字段", "json_invalid": "不是有效的 JSON",
    "greater_than": "必须大于 {gt}", "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}", "less_than_equal": "不能大于 {le}",
    "string_too_short": "至少 {min_length} 个字符", "string_too_long": "最多 {max_length} 个字符",
    "too_short": "至少 {min_length} 项", "too_long": "最多 {max_length} 项",
    "string_pattern_mismatch": "格式不正确", "string_type": "须为文本",
    "int_parsing": "须为整数", "int_type": "须为整数", "int_from_float": "须为整数",
    "float_parsing": "须为数字", "float_type": "须为数字", "decimal_parsing": "须为数字", "decimal_type": "须为数字",
    "finite_number": "须为有限的数字", "decimal_max_digits": "最多 {max_digits} 位数字",
    "decimal_max_places": "最多 {decimal_places} 位小数", "decimal_whole_digits": "整数部分最多 {whole_digits} 位",
    "bool_parsing": "须为“是”或“否”", "bool_type": "须为“是”或“否”", "list_type": "须为列表",
    "literal_error": "须为以下之一：{expected}", "enum": "须为以下之一：{expected}",
    "date_parsing": "须为日期（如 2026-01-31）", "date_from_datetime_parsing": "须为日期（如 2026-01-31）",
    "datetime_parsing": "须为日期时间", "datetime_from_date_parsing": "须为日期时间",
}
# Our own validators (ValueError/assert) already speak Chinese / English; pydantic only prefixes them.
_OWN_MESSAGE_PREFIXES = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}


def _chinese_message(error: dict) -> str:
    kind, english = error.get("type", ""), error.get("msg", "")
    if kind in _OWN_MESSAGE_PREFIXES:
        return english.removeprefix(_OWN_MESSAGE_PREFIXES[kind])
    template = _CHINESE_MESSAGES.get(kind)
    if template is None:
        return "输入无效"
    try:
        return template.format(**(error.get("ctx") or {}))
    except KeyError:  # an error of this type without the context the template names
        return "输入无效"


def validation_errors(errors: list[dict]) -> list[dict]:
    """Field errors of a 422: `message` in Chinese for the person at the form, `message_en` as pydantic says it."""
    return [{"field": _field_path(tuple(e.get("loc", ()))), "message": _chinese_message(e),
             "message_en": e.get("msg", "invalid value"), "type": e.get("type", "value_error")} for e in errors]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError):
        return error_response(request, exc.status, exc.title, exc.detail, exc.code, exc.retry_after, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = validation_errors(exc.errors())
        summary = "；".join(f"{e['field']}：{e['message']}" for e in errors[:5])
        return error_response(request, 422, "输入校验失败", f"请检查输入 / invalid input：{summary}",
                              "validation-error", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        messages = {404: ("未找到", "请求的资源不存在 / not found"),
                    405: ("方法不允许", "该地址不支持此方法 / method not allowed")}
        title, detail = messages.get(exc.status_code, ("请求失败", str(exc.detail)))
        return error_response(request, exc.status_code, title, detail, f"http-{exc.status_code}")

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, exc: SQLAlchemyError):
        if isinstance(exc, DataError):
            # Last resort: input the schema should have refused (core/inputs.py) and the database did.
            log.warning("database refused input on %s %s: %s", request.method, request.url.path,
                        type(getattr(exc, "orig", exc)).__name__)
            return await request.app.exception_handlers[AppError](request, AppError(
                "输入超出可保存的范围 / the input is out of the range that can be stored", code=ErrorCode.UNSTORABLE_INPUT,
                status=422, title="输入校验失败"))
        busy = database_busy(exc)
        if busy is None:
            return await _unexpected(request, exc)
        log.warning("database busy on %s %s: %s", request.method, request.url.path, busy.code)
        # Through the AppError handler in force (pages render HTML), looked up now since pages replace it.
        return await request.app.exception_handlers[AppError](request, busy)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        request_id = getattr(request.state, "request_id", None)
        response = error_response(request, 500, "服务器内部错误",
                                  "服务暂时出现问题，请稍后重试 / internal error, please retry later", "internal-error",
                                  request_id=request_id)
        if request_id:
            # The middleware never sees this response (the error escaped it), so tag it here for support.
            response.headers["X-Request-ID"] = request_id
        return response
