"""`healthhub review FILE.json` / `healthhub review --jsonl FILE.jsonl`: the review contract offline.

Responses go to stdout (one JSON document, or one line per request in input order); problems go to
stderr as RFC 9457-shaped JSON and make the exit status 2. No server or database is involved.
"""
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from healthhub.core.errors import PROBLEM_TYPE_BASE, validation_errors
from healthhub.review.engine import review
from healthhub.review.schemas import ReviewRequest

EXIT_INVALID = 2


def problem(detail: str, code: str, *, line: int | None = None, errors: list[dict] | None = None) -> dict:
    body = {"type": PROBLEM_TYPE_BASE + code, "title": "输入校验失败", "status": 422, "detail": detail, "code": code}
    if line is not None:
        body["line"] = line
    if errors:
        body["errors"] = errors
    return body


def review_text(text: str, line: int | None = None) -> tuple[str | None, dict | None]:
    """(response JSON, None) or (None, problem) for one request document."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, problem(f"不是有效的JSON / not valid JSON: {exc.msg} (column {exc.colno})", "invalid-json",
                             line=line)
    try:
        request = ReviewRequest.model_validate(payload)
    except ValidationError as exc:
        errors = validation_errors(exc.errors())
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return None, problem(f"请检查输入 / invalid input: {summary}", "validation-error", line=line, errors=errors)
    return review(request).model_dump_json(), None


def _emit_problem(body: dict) -> None:
    typer.echo(json.dumps(body, ensure_ascii=False), err=True)


def _read(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _emit_problem(problem(f"无法读取文件 / cannot read {path}: {exc}", "unreadable-file"))
        raise typer.Exit(EXIT_INVALID) from exc


def review_command(
    file: Annotated[Path, typer.Argument(help="request JSON file (or JSONL with --jsonl); '-' reads stdin")],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="one request per line, one response per line")] = False,
) -> None:
    """Review prescriptions with the bundled knowledge base and print the responses as JSON."""
    text = _read(file)
    if not jsonl:
        response, bad = review_text(text)
        if bad:
            _emit_problem(bad)
            raise typer.Exit(EXIT_INVALID)
        typer.echo(response)
        return
    failures = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        response, bad = review_text(line, line=number)
        if bad:
            failures += 1
            _emit_problem(bad)
            typer.echo(json.dumps(bad, ensure_ascii=False))  # keeps output lines aligned with input lines
        else:
            typer.echo(response)
    if failures:
        raise typer.Exit(EXIT_INVALID)


def register(app: typer.Typer) -> None:
    app.command("review")(review_command)
