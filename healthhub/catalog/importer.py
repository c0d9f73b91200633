"""Catalogue import: the curated table shipped here (always) plus `<data_dir>/products/*.json` (when present).

Every row is validated first; a bad row is reported with its file, index and reason and never
written in part. The whole import runs in the caller's transaction, and re-running it is
idempotent: rows are matched by `source_key`, changed fields are updated, the rest left alone.
"""
import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.catalog.models import ImportRun, Product
from healthhub.catalog.rules import (INSURANCE_CATEGORIES, RX_CLASSES, GivenFacts, approval_number_problem,
                                     classify)
from healthhub.catalog.service import catalog_changed
from healthhub.core.config import get_settings
from healthhub.knowledge.service import get_knowledge_base

CURATED_CSV = Path(__file__).parent / "data" / "products.csv"
POPULAR_CATEGORY = "热门药品"  # a ranking signal in the shared data, not a shelf of its own
_FILE_CATEGORY = re.compile(r"^\d+-(.+)\.json$")
_SHARED_ID = re.compile(r"^[0-9A-Za-z_-]{6,32}$")
_SHARED_FIELDS = ("company_name", "company_abbreviation", "drug_generic_id", "drug_generic_name", "trade_name")


@dataclass(frozen=True)
class RowProblem:
    file: str
    index: int  # 0-based position in the file's data array (CSV: data row number, 1-based)
    reason: str


@dataclass
class ImportReport:
    files: int = 0
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    shared_dir_found: bool = False

    @property
    def rejected(self) -> int:
        return len(self.problems)

    def counts(self) -> dict[str, Any]:
        return {"files": self.files, "rows_read": self.rows_read, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "shared_dir_found": self.shared_dir_found}


@dataclass
class Record:
    """One product as the import sources describe it, before classification."""

    source_key: str
    kind: str
    generic_name: str
    brand_name: str | None
    manufacturer: str
    categories: list[str]
    popularity: int
    source: str
    given: GivenFacts = field(default_factory=GivenFacts)
    strength: str | None = None
    package: str | None = None
    approval_number: str | None = None
    list_price_cents: int | None = None
    description: str | None = None
    insert_text: str | None = None


def _natural_key(generic_name: str, manufacturer: str, brand: str | None) -> tuple[str, str, str]:
    return generic_name.strip(), manufacturer.strip(), (brand or "").strip()


def _curated_record(row: dict[str, str]) -> Record:
    def text(name: str, limit: int) -> str | None:
        value = (row.get(name) or "").strip()
        if len(value) > limit:
            raise ValueError(f"{name} 超过{limit}个字符 / {name} longer than {limit} characters")
        return value or None

    kind = text("kind", 16)
    if kind not in ("drug", "health"):
        raise ValueError("kind 应为 drug 或 health / kind must be drug or health")
    generic, manufacturer = text("generic_name", 128), text("manufacturer", 128)
    if not generic or not manufacturer:
        raise ValueError("通用名和生产企业必填 / generic_name and manufacturer are required")
    rx_class = text("rx_class", 8)
    if rx_class not in RX_CLASSES or (kind == "health") != (rx_class == "none"):
        raise ValueError(f"rx_class 无效：{rx_class} / rx_class must be rx, otc_a, otc_b (drugs) or none (health goods)")
    insurance = text("insurance_category", 1)
    if insurance and insurance not in INSURANCE_CATEGORIES:
        raise ValueError("医保类别应为 A 或 B / insurance_category must be A or B")
    approval = text("approval_number", 32)
    if problem := approval_number_problem(approval, kind=kind):
        raise ValueError(problem)
    price = text("list_price_cents", 12)
    if not price or not price.isdigit() or int(price) <= 0:
        raise ValueError("list_price_cents 应为正整数（分）/ list_price_cents must be a positive integer of cents")
    category, source = text("category", 32), text("source", 300)
    if not category or not source:
        raise ValueError("category 和 source 必填 / category and source are required")
    return Record(
        source_key=f"curated:{text('code', 16)}", kind=kind, generic_name=generic, brand_name=text("brand_name", 64),
        manufacturer=manufacturer, categories=[category], popularity=int(text("popularity", 9) or 0), source=source,
        given=GivenFacts(kind=kind, rx_class=rx_class, insurance_category=insurance,
                         cold_chain=(text("cold_chain", 3) == "yes"), english_name=text("english_name", 200),
                         atc_code=text("atc_code", 16), dosage_form=text("dosage_form", 32)),
        strength=text("strength", 64), package=text("package", 64), approval_number=approval,
        list_price_cents=int(price), description=text("description", 2000), insert_text=text("insert_text", 8000))


def read_curated(report: ImportReport) -> list[Record]:
    records = []
    with CURATED_CSV.open(encoding="utf-8", newline="") as handle:
        report.files += 1
        for number, row in enumerate(csv.DictReader(handle), start=1):
            report.rows_read += 1
            try:
                records.append(_curated_record(row))
            except ValueError as exc:
                report.problems.append(RowProblem(CURATED_CSV.name, number, str(exc)))
    return records


def _shared_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return "行不是对象 / row is not a JSON object"
    missing = [name for name in _SHARED_FIELDS if name not in row]
    if missing:
        return f"缺少字段 / missing fields: {', '.join(missing)}"
    if any(not isinstance(row[name], str) for name in _SHARED_FIELDS):
        return "字段值应为字符串 / every field must be a string"
    if not row["drug_generic_name"].strip() or not row["company_name"].strip():
        return "通用名和生产企业不能为空 / drug_generic_name and company_name must not be empty"
    if len(row["drug_generic_name"]) > 128 or len(row["company_name"]) > 128 or len(row["trade_name"]) > 64:
        return "字段过长 / a field is too long"
    if not _SHARED_ID.match(row["drug_generic_id"]):
        return f"drug_generic_id 格式无效：{row['drug_generic_id']!r} / malformed drug_generic_id"
    return None


def read_shared(products_dir: Path, report: ImportReport, by_key: dict[tuple, Record]) -> None:
    """Adds the shared rows to `by_key`; a product listed in several files collects all their categories."""
    for path in sorted(products_dir.glob("*.json")):
        report.files += 1
        match = _FILE_CATEGORY.match(path.name)
        category = match.group(1) if match else path.stem
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))["data"]
            if not isinstance(rows, list):
                raise TypeError("data is not a list")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            report.problems.append(RowProblem(path.name, -1, f"文件无法读取为 {{\"data\": [...]}} / unreadable file: {exc}"))
            continue
        for index, row in enumerate(rows):
            report.rows_read += 1
            if problem := _shared_problem(row):
                report.problems.append(RowProblem(path.name, index, problem))
                continue
            generic, maker, brand = _natural_key(row["drug_generic_name"], row["company_name"], row["trade_name"])
            record = by_key.get((generic, maker, brand))
            if record is None:
                digest = hashlib.sha1(f"{maker}|{brand}".encode()).hexdigest()[:16]
                record = by_key[(generic, maker, brand)] = Record(
                    source_key=f"products:{row['drug_generic_id']}:{digest}", kind="drug", generic_name=generic,
                    brand_name=brand or None, manufacturer=maker, categories=[], popularity=100,
                    source="qianguyihao/original-drug-list (shared data products/)")
            if category == POPULAR_CATEGORY:
                record.popularity += 400
            elif category not in record.categories:
                record.categories.append(category)


def load_records(data_dir: Path | None, report: ImportReport) -> list[Record]:
    records = read_curated(report)
    by_key = {_natural_key(r.generic_name, r.manufacturer, r.brand_name): r for r in records}
    products_dir = data_dir / "products" if data_dir else None
    if products_dir and products_dir.is_dir():
        report.shared_dir_found = True
        read_shared(products_dir, report, by_key)
    for record in by_key.values():
        if not record.categories:
            record.categories.append(POPULAR_CATEGORY)
    return list(by_key.values())


def product_fields(record: Record) -> dict[str, Any]:
    kb = get_knowledge_base()
    facts, form = kb.resolve_product_name(record.generic_name) if record.kind == "drug" else (None, None)
    c = classify(record.generic_name, facts, form, record.given)
    return {
        "kind": record.kind, "generic_name": record.generic_name, "brand_name": record.brand_name,
        "english_name": c.english_name, "atc_code": c.atc_code, "dosage_form": c.dosage_form,
        "strength": record.strength, "package": record.package, "approval_number": record.approval_number,
        "manufacturer": record.manufacturer, "rx_class": c.rx_class, "special_class": c.special_class,
        "online_sale_banned": c.online_sale_banned, "ban_reason": c.ban_reason, "cold_chain": c.cold_chain,
        "insurance_category": c.insurance_category, "category": record.categories[0],
        "categories": list(record.categories), "description": record.description, "insert_text": record.insert_text,
        "knowledge_key": c.knowledge_key, "ingredient_name": c.ingredient_name, "popularity": record.popularity,
        "source": record.source,
    }


def import_catalog(session: Session, data_dir: Path | None, *,
                   progress: Callable[[Iterable], Iterable] | None = None) -> ImportReport:
    """Flushes only; the caller commits (the whole import is one transaction)."""
    report = ImportReport()
    records = load_records(data_dir, report)
    existing = {p.source_key: p for p in session.execute(
        select(Product).where(Product.source_key.in_([r.source_key for r in records]))).scalars()}
    for record in (progress or iter)(records):
        fields = product_fields(record)
        product = existing.get(record.source_key)
        if product is None:
            # Imported rows without a price stay unpriced (not purchasable) until a price is set.
            session.add(Product(source_key=record.source_key, list_price_cents=record.list_price_cents,
                                status="active", **fields))
            report.created += 1
            continue
        if record.list_price_cents is not None:
            fields["list_price_cents"] = record.list_price_cents
        changed = {k: v for k, v in fields.items() if getattr(product, k) != v}
        for name, value in changed.items():
            setattr(product, name, value)
        report.updated += bool(changed)
        report.unchanged += not changed
    session.add(ImportRun(source_dir=str(data_dir) if data_dir else None, counts=report.counts(),
                          problems=[{"file": p.file, "index": p.index, "reason": p.reason} for p in report.problems]))
    session.flush()
    catalog_changed(session)
    return report


@dataclass(frozen=True)
class BaseTitle:
    """A product's searchable names and flags, without a database (benchmarks, synthetic catalogues)."""

    generic_name: str
    brand_name: str | None
    ingredient_name: str | None
    english_name: str | None
    rx_class: str
    categories: tuple[str, ...]
    insurance_category: str | None
    sellable: bool


def base_titles(data_dir: Path | None = None) -> list[BaseTitle]:
    records = load_records(data_dir or get_settings().data_dir, ImportReport())
    titles = []
    for record in records:
        f = product_fields(record)
        titles.append(BaseTitle(f["generic_name"], f["brand_name"], f["ingredient_name"], f["english_name"],
                                f["rx_class"], tuple(f["categories"]), f["insurance_category"],
                                not f["special_class"] and not f["online_sale_banned"]))
    return titles
