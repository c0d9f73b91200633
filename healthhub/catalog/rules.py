"""Pure catalogue rules: field validation and regulatory classification of a product (OD-01, OD-01a).

The knowledge base knows the drug (ingredient); the product adds its dosage form and the curated
per-product facts. When both speak, the stricter flag wins: anything either source marks as
special-management or banned is never sellable online.
"""
import re
from dataclasses import dataclass

from healthhub.catalog.forms import split_generic_name
from healthhub.knowledge.model import SPECIAL_CLASS_NAMES, DrugFacts, is_glucose_lowering

APPROVAL_NUMBER = re.compile(r"^国药准字[HZS]\d{8}$")
RX_CLASSES = ("rx", "otc_a", "otc_b", "none")
INSURANCE_CATEGORIES = ("A", "B")
SPECIAL_LABELS = {special.value: names[0] for special, names in SPECIAL_CLASS_NAMES.items()}
RX_LABELS = {"rx": "处方药", "otc_a": "甲类非处方药", "otc_b": "乙类非处方药", "none": "非药品"}
INJECTION_BAN = "注射剂（降糖类药品除外）禁止网络销售（药品网络销售禁止清单 OD-01a）"


def approval_number_problem(value: str | None, *, kind: str) -> str | None:
    """None when fine. Health goods carry no drug approval number."""
    if not value:
        return None
    if kind != "drug":
        return "非药品不应填写国药准字批准文号 / only drugs have a 国药准字 approval number"
    if not APPROVAL_NUMBER.match(value):
        return (f"批准文号格式应为“国药准字”+H/Z/S+8位数字，收到：{value} / approval number must look like "
                "国药准字H12345678")
    return None


def is_injection(generic_name: str, dosage_form: str | None) -> bool:
    return "注射" in generic_name or bool(dosage_form and "注射" in dosage_form)


@dataclass(frozen=True)
class Classification:
    rx_class: str
    special_class: str | None
    online_sale_banned: bool
    ban_reason: str | None
    cold_chain: bool
    insurance_category: str | None
    knowledge_key: str | None
    english_name: str | None
    atc_code: str | None
    ingredient_name: str
    dosage_form: str | None

    @property
    def sellable_online(self) -> bool:
        return self.special_class is None and not self.online_sale_banned


@dataclass(frozen=True)
class GivenFacts:
    """What the curated table (or an operator) states for this one product; None = not stated."""

    kind: str = "drug"
    rx_class: str | None = None
    insurance_category: str | None = None
    cold_chain: bool | None = None
    english_name: str | None = None
    atc_code: str | None = None
    dosage_form: str | None = None


def classify(generic_name: str, facts: DrugFacts | None, kb_form: str | None, given: GivenFacts) -> Classification:
    ingredient, suffix_form = split_generic_name(generic_name)
    if given.kind != "drug":
        return Classification("none", None, False, None, bool(given.cold_chain), None, None, given.english_name,
                              None, generic_name, given.dosage_form)
    dosage_form = given.dosage_form or suffix_form or kb_form
    atc = given.atc_code or (facts.atc_codes[0] if facts and facts.atc_codes else None)
    # Per-product Rx status (from its insert) beats the per-ingredient default; unknown drugs are Rx.
    rx_class = given.rx_class or (facts.rx_class.value if facts and facts.rx_class else "rx")
    special = facts.special_class.value if facts and facts.special_class else None
    banned, reason = (True, facts.ban_reason or "药品网络销售禁止清单 (OD-01a)") if facts and facts.online_sale_banned \
        else (False, None)
    glucose_lowering = is_glucose_lowering((atc, *(facts.atc_codes if facts else ())))
    if not banned and is_injection(generic_name, dosage_form) and not glucose_lowering:
        banned, reason = True, INJECTION_BAN
    if special:
        # A compound's reason names the ingredients that make it special (knowledge.compounds).
        reason = f"该药品属于特殊管理药品（{SPECIAL_LABELS[special]}），不得网络销售 (OD-01)" + (
            f"：{facts.ban_reason}" if facts.ban_reason else "")
    return Classification(
        rx_class=rx_class, special_class=special, online_sale_banned=banned, ban_reason=reason,
        cold_chain=bool(given.cold_chain) or bool(facts and facts.cold_chain),
        insurance_category=given.insurance_category or (facts.insurance_category if facts else None),
        knowledge_key=facts.key if facts else None,
        english_name=given.english_name or (facts.name_en if facts else None), atc_code=atc,
        ingredient_name=facts.name_zh if facts else ingredient, dosage_form=dosage_form)
