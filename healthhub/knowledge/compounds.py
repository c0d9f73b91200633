"""Compound preparations (复方制剂): their ingredients, and the special-management class derived from them.

The one classification catalogue, prescribing and review share: a compound holds the strictest class of
its ingredients (OD-01, IDT-09), so 氨酚羟考酮 is never sold or prescribed online because oxycodone is not.
Where a regulation names the compound itself (含羟考酮复方制剂 are class II psychotropics, 2019年第63号),
the row states that class; a stated class can be more precise than the derived one, never absent.

One exception: compounds containing ephedrines (含麻黄碱类复方制剂) are not precursor chemicals themselves,
but the online-sale ban list (OD-01a) bans them, so they are banned from sale and stay prescribable.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from healthhub.knowledge.facts import ATC_CODE
from healthhub.knowledge.kb import KnowledgeBase
from healthhub.knowledge.model import SPECIAL_CLASS_NAMES, DrugFacts, RxClass, SpecialClass, strictest_class
from healthhub.knowledge.tables import RowError, choice, read_rows, require_source

TABLE = "compounds.csv"
# 国家食品药品监督管理局办公室关于进一步加强含麻黄碱类复方制剂管理的通知 (国食药监办〔2012〕260号).
SALE_BAN_ONLY = frozenset({SpecialClass.PRECURSOR})
EPHEDRINE_COMPOUND_BAN = "药品网络销售禁止清单（第一版）：含麻黄碱类复方制剂"


@dataclass(frozen=True)
class CompoundClass:
    special_class: SpecialClass | None
    online_sale_banned: bool  # OD-01a, besides the special class (which alone already forbids online sale)
    ban_reason: str | None  # why it may not be sold online: the ingredients that make it so


def _ingredient_labels(ingredients: Sequence[DrugFacts]) -> str:
    return "、".join(f"{d.display_name}（{SPECIAL_CLASS_NAMES[d.special_class][0]}）"
                     for d in ingredients if d.special_class)


def derive_compound_class(ingredients: Sequence[DrugFacts], stated: SpecialClass | None = None) -> CompoundClass:
    """A compound is special-management when any ingredient is (the stated class, when given, wins)."""
    derived = strictest_class(d.special_class for d in ingredients if d.special_class not in SALE_BAN_ONLY)
    special = stated or derived
    if special is not None:
        return CompoundClass(special, False, f"复方制剂含特殊管理药品成分：{_ingredient_labels(ingredients)}")
    if any(d.special_class in SALE_BAN_ONLY for d in ingredients):
        return CompoundClass(None, True, f"{EPHEDRINE_COMPOUND_BAN}（含{_ingredient_labels(ingredients)}）")
    return CompoundClass(None, False, None)


def _split(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(";") if t.strip())


def compound_from_row(kb: KnowledgeBase, row: dict[str, str]) -> DrugFacts:
    source = require_source(row)
    key, name_zh, name_en = row.get("key", ""), row.get("name_zh", ""), row.get("name_en", "")
    if not key or not name_zh or not name_en:
        raise RowError("key, name_zh and name_en are required")
    names = _split(row.get("ingredients", ""))
    if len(names) < 2:
        raise RowError("a compound preparation lists at least two ingredients")
    ingredients = []
    for name in names:
        drug = kb.resolve(name)
        if drug is None:
            raise RowError(f"unknown ingredient {name!r} (add it to drugs.csv first)")
        ingredients.append(drug)
    atc_codes = _split(row.get("atc_codes", ""))
    if bad := [c for c in atc_codes if len(c) != 7 or not ATC_CODE.match(c)]:
        raise RowError(f"bad ATC codes {bad}")
    rx = choice(row, "rx_class", ("", *[c.value for c in RxClass]))
    stated = choice(row, "special_class", ("", *[c.value for c in SpecialClass]))
    derived = derive_compound_class(ingredients, SpecialClass(stated) if stated else None)
    return DrugFacts(
        key=key, name_zh=name_zh, name_en=name_en, atc_codes=atc_codes, aliases=_split(row.get("aliases", "")),
        trade_names=_split(row.get("trade_names", "")), rx_class=RxClass(rx) if rx else None,
        special_class=derived.special_class, online_sale_banned=derived.online_sale_banned,
        ban_reason=derived.ban_reason, cold_chain=choice(row, "cold_chain", ("", "yes")) == "yes",
        antimicrobial=any(d.antimicrobial for d in ingredients), sources=(source,),
        ingredients=tuple(d.key for d in ingredients))


def load_compounds(kb: KnowledgeBase, data_dir: Path) -> None:
    """After drugs.csv: every ingredient must already be known."""
    required = ("key", "name_zh", "name_en", "ingredients", "special_class", "source")
    for line, row in read_rows(data_dir / TABLE, required, kb.report):
        try:
            drug = compound_from_row(kb, row)
            if clash := next((n for n in (drug.key, drug.name_zh, drug.name_en, *drug.aliases) if kb.has_name(n)),
                             None):
                raise RowError(f"name {clash!r} already belongs to another drug")
        except RowError as exc:
            kb.report.reject(TABLE, line, str(exc))
            continue
        kb.add_drug(drug)
        kb.report.accept(TABLE)
