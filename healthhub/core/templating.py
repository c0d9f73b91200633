"""Jinja2 pages. Each domain keeps its templates in healthhub/<domain>/templates/ and names them
"<domain>/<file>.html"; shared layout lives in healthhub/templates/."""
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from healthhub.core import public_ids
from healthhub.core.dates import format_local
from healthhub.core.navigation import navigation_for

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _domain_loaders() -> dict[str, FileSystemLoader]:
    return {d.parent.name: FileSystemLoader(d) for d in sorted(PACKAGE_DIR.glob("*/templates")) if d.is_dir()}


def _money(value: Any) -> str:
    """Integer cents -> ¥12.34."""
    if value is None:
        return "—"
    return f"¥{int(value) / 100:,.2f}"


environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(PACKAGE_DIR / "templates"), PrefixLoader(_domain_loaders())]),
    autoescape=select_autoescape(["html"]),
)
environment.filters["money"] = _money
# Every time a page prints: stored UTC, shown in the display time zone (core/dates.py).
environment.filters["local_time"] = format_local
# Ids in links, forms and page data are public ids, never the sequential keys.
environment.filters["public_id"] = public_ids.encode
templates = Jinja2Templates(env=environment)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200):
    principal = getattr(request.state, "principal", None)
    base = {"principal": principal, "nav": navigation_for(principal), "csrf_token": getattr(request.state, "csrf", ""),
            "path": request.url.path}
    return templates.TemplateResponse(request, name, {**base, **(context or {})}, status_code=status_code)
