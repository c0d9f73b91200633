"""Importers for the public data sets under HEALTHHUB_DATA_DIR (WHO ATC/DDD, DDInter, NHSA, products).

Format-driven: an operator can drop in a licensed knowledge base of the same shape. Each importer
adds what it can and names in the report what it refused.
"""
import csv
import json
import re
from dataclasses import replace
from pathlib import Path

from healthhub.knowledge.facts import ATC_CODE, Interaction
from healthhub.knowledge.kb import KnowledgeBase, normalize_name
from healthhub.knowledge.model import DrugFacts

# ATC names that are not one substance ("combinations", "various"): keyed with their code, so two
# unrelated combination products never merge into one "drug".
GENERIC_ATC_NAMES = re.compile(r"^(combinations?|various|others?|miscellaneous)\b")
DDINTER_LEVELS = {"Major": "major", "Moderate": "moderate", "Minor": "minor", "Unknown": "unknown"}
NHSA_CODE = re.compile(r"^X([A-Z]\d\d[A-Z]{2})[0-9A-Z]{6}$")
WHO_SOURCE = "WHO ATC/DDD Index (fabkury/atcd, CC BY-NC-SA 4.0)"
DDINTER_SOURCE = "DDInter 1.0 (CC BY-NC-SA 4.0)"


def shared_files(data_dir: Path) -> list[Path]:
    """Every file the importers read, in a stable order (for the KB version hash)."""
    patterns = ("atc/who_atc_ddd_*.csv", "ddinter/*.csv", "nhsa/*.csv", "products/*.json")
    return [p for pattern in patterns for p in sorted(data_dir.glob(pattern))]


def _merge(kb: KnowledgeBase, key: str, **more: tuple[str, ...]) -> None:
    drug = kb.drug(key)
    changes = {field: tuple(dict.fromkeys((*getattr(drug, field), *values)))
               for field, values in more.items() if set(values) - set(getattr(drug, field))}
    if changes:
        kb.replace_drug(replace(drug, **changes))


def import_atc(kb: KnowledgeBase, data_dir: Path) -> None:
    files = sorted(data_dir.glob("atc/who_atc_ddd_*.csv"))
    if not files:
        kb.report.notes.append("atc: WHO ATC/DDD file not found")
        return
    table = f"atc/{files[-1].name}"
    with files[-1].open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, name = (row.get("atc_code") or "").strip(), (row.get("atc_name") or "").strip()
            if not ATC_CODE.match(code) or not name:
                kb.report.reject(table, line, f"bad ATC code {code!r} or empty name")
                continue
            if len(code) < 7:
                kb.atc_group_names.setdefault(code, name)
                continue
            existing = kb.resolve(name)
            if existing is not None and not GENERIC_ATC_NAMES.match(name.lower()):
                _merge(kb, existing.key, atc_codes=(code,))
            elif kb.resolve(code) is None:
                key = f"{name.lower()} ({code})" if GENERIC_ATC_NAMES.match(name.lower()) else name.lower()
                kb.add_drug(DrugFacts(key=key, name_zh="", name_en=name, atc_codes=(code,), sources=(WHO_SOURCE,)))
            kb.report.accept(table)


def _ddinter_key(kb: KnowledgeBase, name: str, cache: dict[str, str]) -> str:
    key = cache.get(name)
    if key is None:
        drug = kb.resolve(name)
        if drug is None:
            drug = DrugFacts(key=normalize_name(name), name_zh="", name_en=name, sources=(DDINTER_SOURCE,))
            kb.add_drug(drug)
        key = cache[name] = drug.key
    return key


def import_ddinter(kb: KnowledgeBase, data_dir: Path) -> set[str]:
    """DDInter pairs; returns the drug keys DDInter covers. Never downgrades a curated pair."""
    files = sorted(data_dir.glob("ddinter/*.csv"))
    if not files:
        kb.report.notes.append("ddinter: no interaction files found")
        return set()
    covered: set[str] = set()
    cache: dict[str, str] = {}
    interactions = kb.interactions
    # One shared fact per level: 160k pairs point at five objects instead of 160k copies. The download files
    # carry no mechanism or description column, so the mechanism stays empty (never invented); the review
    # engine tells the reader that the source gives none.
    facts = {level: Interaction(level, "", "", DDINTER_SOURCE) for level in DDINTER_LEVELS.values()}
    for path in files:
        table = f"ddinter/{path.name}"
        accepted = 0
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header != ["DDInterID_A", "Drug_A", "DDInterID_B", "Drug_B", "Level"]:
                kb.report.reject(table, 1, "unexpected header; file skipped")
                continue
            for line, row in enumerate(reader, start=2):
                if len(row) != 5 or row[4] not in DDINTER_LEVELS or not row[1] or not row[3]:
                    kb.report.reject(table, line, f"bad row {row[:5]!r}")
                    continue
                a, b = _ddinter_key(kb, row[1], cache), _ddinter_key(kb, row[3], cache)
                if a == b:
                    kb.report.reject(table, line, f"drug interacts with itself: {row[1]!r}")
                    continue
                pair = (a, b) if a < b else (b, a)
                if pair not in interactions:
                    interactions[pair] = facts[DDINTER_LEVELS[row[4]]]
                covered.add(a)
                covered.add(b)
                accepted += 1
        kb.report.accept(table, accepted)
    return covered


def import_nhsa(kb: KnowledgeBase, data_dir: Path) -> None:
    categories = data_dir / "nhsa" / "drug_category_dict.csv"
    if categories.exists():
        other = 0
        with categories.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                code, name = (row.get("类目编码") or "").strip(), (row.get("类目名称") or "").strip()
                if not code.startswith("X"):
                    other += 1  # Z: Chinese patent medicines, T: herbal pieces; not ATC categories
                elif ATC_CODE.match(code[1:]) and name:
                    kb.atc_group_names[code[1:]] = name  # Chinese names win over the English ones
                    kb.report.accept("nhsa/drug_category_dict.csv")
                else:
                    kb.report.reject("nhsa/drug_category_dict.csv", line, f"bad ATC category {code!r}")
        kb.report.notes.append(f"nhsa: {other} non-ATC categories (patent medicines, herbal pieces) skipped")
    rules = data_dir / "nhsa" / "drug_restriction_rules.csv"
    if not rules.exists():
        kb.report.notes.append("nhsa: drug_restriction_rules.csv not found")
        return
    unmatched = 0
    with rules.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, name = (row.get("药品编码") or "").strip(), (row.get("药品名称") or "").strip()
            if code.startswith("Z"):
                continue  # Chinese patent medicines: outside this ATC-based knowledge base
            match = NHSA_CODE.match(code)
            if not match or not name:
                kb.report.reject("nhsa/drug_restriction_rules.csv", line, f"bad NHSA code {code!r}")
                continue
            drug, _form = kb.resolve_product_name(name)
            if drug is None:
                unmatched += 1
                continue
            if drug.atc_codes and not any(c.startswith(match.group(1)) for c in drug.atc_codes):
                kb.report.reject("nhsa/drug_restriction_rules.csv", line,
                                 f"{name}: code class {match.group(1)} disagrees with ATC {drug.atc_codes[0]}")
                continue
            _merge(kb, drug.key, insurance_codes=(code,))
            kb.report.accept("nhsa/drug_restriction_rules.csv")
    kb.report.notes.append(f"nhsa: {unmatched} Western-medicine names match no generic name (not imported)")


def import_products(kb: KnowledgeBase, data_dir: Path) -> None:
    """Chinese products: their trade names become recognised (and flagged by RX-05) names."""
    unmatched = 0
    for path in sorted(data_dir.glob("products/*.json")):
        table = f"products/{path.name}"
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["data"]
        except (ValueError, KeyError, TypeError):
            kb.report.reject(table, 1, "not a {'data': [...]} JSON document; file skipped")
            continue
        for index, entry in enumerate(entries, start=1):
            generic = str(entry.get("drug_generic_name") or "").strip()
            if not generic:
                kb.report.reject(table, index, "product without a generic name")
                continue
            drug, _form = kb.resolve_product_name(generic)
            if drug is None:
                unmatched += 1
                continue
            trade = str(entry.get("trade_name") or "").strip()
            if trade and not kb.has_name(trade):
                _merge(kb, drug.key, trade_names=(trade,))
            kb.report.accept(table)
    kb.report.notes.append(f"products: {unmatched} products name a generic the knowledge base lacks")
