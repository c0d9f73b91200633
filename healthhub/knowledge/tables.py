"""Reading curated CSV tables row by row, and turning a table's subject column into drug keys.

A row is validated completely before anything from it is stored, so a bad row is refused whole
and named in the import report, never half imported.
"""
import csv
from collections.abc import Iterator
from pathlib import Path

from healthhub.knowledge.facts import ATC_CODE
from healthhub.knowledge.kb import KnowledgeBase
from healthhub.knowledge.report import ImportReport


class RowError(ValueError):
    """Why one row is refused (goes to the import report)."""


def read_rows(path: Path, required: tuple[str, ...], report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with stripped values; refuses the whole file when columns are missing."""
    if not path.exists():
        report.notes.append(f"{path.name}: not found, table skipped")
        return
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            report.reject(path.name, 1, f"missing columns {', '.join(missing)}; table skipped")
            return
        for line, row in enumerate(reader, start=2):
            yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


def require_source(row: dict[str, str]) -> str:
    source = row.get("source", "")
    if not source:
        raise RowError("missing source (every curated fact names its public reference)")
    return source


def optional_float(row: dict[str, str], column: str) -> float | None:
    text = row.get(column, "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise RowError(f"{column}: {text!r} is not a number") from exc
    if value < 0:
        raise RowError(f"{column}: {text!r} is negative")
    return value


def choice(row: dict[str, str], column: str, allowed: tuple[str, ...]) -> str:
    value = row.get(column, "")
    if value not in allowed:
        raise RowError(f"{column}: {value!r} is not one of {', '.join(allowed)}")
    return value


def expand_subject(kb: KnowledgeBase, token: str, *, allow_empty_atc: bool = False) -> set[str]:
    """'@group', an ATC prefix ('C10AA') or a drug name -> drug keys; RowError when it names nothing."""
    token = token.strip()
    if not token:
        raise RowError("empty drug column")
    if token.startswith("@"):
        group = kb.groups.get(token[1:])
        if group is None:
            raise RowError(f"unknown group {token!r}")
        return set(group.members)
    if token[0].isupper() and token.isascii() and token.isalnum():
        if not ATC_CODE.match(token):
            raise RowError(f"bad ATC code {token!r}")
        keys = kb.keys_with_atc_prefix(token)
        if not keys and not allow_empty_atc:
            raise RowError(f"no drug in the knowledge base has ATC code {token}*")
        return keys
    drug = kb.resolve(token)
    if drug is None:
        raise RowError(f"unknown drug {token!r}")
    return {drug.key}


def expand_members(kb: KnowledgeBase, members: str) -> set[str]:
    # A class lists ATC prefixes some of which only the full data sets fill (aliskiren, C09XA):
    # an empty prefix is fine, a class with no member at all is not.
    keys: set[str] = set()
    for token in members.split(";"):
        if token.strip():
            keys |= expand_subject(kb, token, allow_empty_atc=True)
    if not keys:
        raise RowError("group has no members")
    return keys
