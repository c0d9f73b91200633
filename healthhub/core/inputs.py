"""Input that the database cannot store is refused with 422 before it reaches a query.

PostgreSQL refuses NUL characters in text and integers beyond the column's range with an error the
client would see as a 500; JSON's NaN, Infinity and 1e999 are not numbers a person means; a boolean
is not a coordinate. Two shared defences:

- `refuse_unstorable_input`, an application-wide dependency: no NUL in the URL (path and query) or in a
  form or JSON body, and no non-finite number in a JSON body.
- The annotated types below: every id in a path, query or body is a public id whose key is 1..INT4_MAX
  (all primary keys are `Integer`, PostgreSQL int4), so an id past the range is refused by the schema,
  never by the driver; measures are strict, finite floats.
"""
import json
import math
from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import Field

from healthhub.core.errors import AppError
from healthhub.core.public_ids import PublicIdInBody, PublicIdInUrl

INT4_MAX = 2**31 - 1

# Ids from clients are public ids (core/public_ids.py), never the sequential keys; decoded, they are still
# bounded so a forged block can never reach the driver as an out-of-range integer.
ResourceId = Annotated[PublicIdInUrl, Path(ge=1, le=INT4_MAX, description="公开编号 / public id")]
QueryId = Annotated[PublicIdInUrl, Query(ge=1, le=INT4_MAX)]
BodyId = Annotated[PublicIdInBody, Field(ge=1, le=INT4_MAX)]
# Quantities, money in cents and other counts stored in `Integer` columns.
Amount = Annotated[int, Field(strict=True, ge=0, le=INT4_MAX)]
Measure = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Latitude = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-90, le=90)]
Longitude = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-180, le=180)]


class UnstorableInput(AppError):
    status, code, title = 422, "validation-error", "输入校验失败"


def _refuse(where: str, what: str) -> None:
    raise UnstorableInput(f"{where} 含有无法保存的内容（{what}）/ {where} holds input that cannot be stored: {what}")


def _walk(value: Any, where: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            _refuse(where, "NUL")
    elif isinstance(value, float):
        if not math.isfinite(value):
            _refuse(where, "NaN/Infinity")
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, where)
            _walk(item, where)
    elif isinstance(value, list):
        for item in value:
            _walk(item, where)


async def refuse_unstorable_input(request: Request) -> None:
    """Reads only the URL and the already-buffered body: no I/O beyond what the route does anyway."""
    if "\x00" in request.url.path:
        _refuse("URL", "NUL")
    for key, value in request.query_params.multi_items():
        _walk(key, "URL")
        _walk(value, "URL")
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        try:
            parsed = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            return  # malformed JSON: the route's own body validation answers 422
        _walk(parsed, "请求体 / body")
    elif content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        for key, value in form.multi_items():
            _walk(key, "表单 / form")
            _walk(value, "表单 / form")
