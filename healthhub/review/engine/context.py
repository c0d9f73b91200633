"""What every check reads: the request's items resolved against the knowledge base, and the
finding collector that applies a tenant's overrides."""
from dataclasses import dataclass

from healthhub.knowledge.facts import DosageForm
from healthhub.knowledge.kb import KnowledgeBase, normalize_name
from healthhub.knowledge.model import DrugFacts
from healthhub.review.engine.overrides import RuleOverrides
from healthhub.review.engine.rules import RULES
from healthhub.review.schemas import Finding, ItemIn, ReviewRequest, Severity

INJECTION_ROUTES = frozenset({"iv", "im", "sc", "intradermal", "injection"})
# ATC groups for local use (skin, eye, mouth, vagina, nose/throat, topical joint pain, haemorrhoids):
# a drug given systemically is compared with other drugs through its systemic codes only.
LOCAL_ATC_PREFIXES = ("D", "S", "A01", "G01", "R01", "R02", "M02", "C05")
LOCAL_ROUTES = frozenset({"topical", "ophthalmic", "nasal", "otic", "vaginal"})
SEVERITY = {"block": Severity.BLOCK, "warn": Severity.WARN, "info": Severity.INFO}
# Memoised name resolutions per KB: bounded, so arbitrary names sent to a public API cannot grow it forever.
MAX_MEMO_NAMES = 50_000


@dataclass(slots=True)
class Item:
    index: int
    written: str  # the name as prescribed
    drug: DrugFacts | None
    by_trade_name: bool
    route: str | None  # normalized route, None when not given
    route_unknown: bool  # a route was written but is not recognised
    form: DosageForm | None
    source: ItemIn
    label: str  # the name findings show: the Chinese generic name where known


class Collector:
    """Collects findings; a disabled rule adds nothing and an overridden severity replaces the row's.

    Every finding carries evidence: the request fact, knowledge-base row or rule parameter it rests on,
    so a pharmacist can see why it was raised (or, for "not checked", what is missing)."""

    __slots__ = ("findings", "_disabled", "_severity")

    def __init__(self, overrides: RuleOverrides) -> None:
        self.findings: list[Finding] = []
        self._disabled = overrides.disabled
        self._severity = overrides.severity

    def add(self, rule_id: str, drugs: list[str], message_zh: str, message_en: str,
            evidence: dict, severity: Severity | None = None) -> None:
        if not evidence:
            raise ValueError(f"finding {rule_id} has no evidence")
        if rule_id in self._disabled:
            return
        rule = RULES[rule_id]
        self.findings.append(Finding.model_construct(
            family=rule.family, rule=rule_id, severity=self._severity.get(rule_id) or severity or rule.severity,
            drugs=drugs, message_zh=message_zh, message_en=message_en, evidence=evidence))


def fmt(value: float) -> str:
    """A number in a message: 0.5, 12, 2.5 (no trailing zeros)."""
    return f"{value:g}"


def _resolve(kb: KnowledgeBase, written: str) -> tuple[DrugFacts | None, bool, DosageForm | None]:
    """(drug, named by trade name, dosage form named in the product name); memoised per KB."""
    memo = kb.derived.setdefault("resolved_names", {})
    hit = memo.get(written)
    if hit is None:
        drug, trade, form = kb.resolve(written), False, None
        if drug is None:
            drug, form_zh = kb.resolve_product_name(written)
            form = kb.form_of(written) if form_zh else None
        if drug is None:
            drug, trade = kb.resolve_trade_name(written), True
        hit = (drug, trade and drug is not None, form)
        if len(memo) < MAX_MEMO_NAMES:
            memo[written] = hit
    return hit


def resolve_items(kb: KnowledgeBase, request: ReviewRequest) -> list[Item]:
    items = []
    for index, source in enumerate(request.items):
        drug, trade, form = _resolve(kb, source.drug)
        if source.dosage_form:
            form = kb.form_of(source.dosage_form) or form
        route = None
        unknown = False
        if source.route:
            route = kb.route_aliases.get(normalize_name(source.route))
            unknown = route is None
        label = drug.display_name if drug else source.drug
        items.append(Item(index, source.drug, drug, trade, route, unknown, form, source, label))
    return items


def systemic_and_local_classes(kb: KnowledgeBase, drug: DrugFacts) -> tuple[frozenset[str], frozenset[str]]:
    """ATC level-4 classes of a drug split into systemic and local use, minus duplicate exemptions."""
    memo = kb.derived.setdefault("atc_classes", {})
    hit = memo.get(drug.key)
    if hit is None:
        systemic, local = set(), set()
        for code in drug.atc_codes:
            level4 = code[:5]
            if any(level4.startswith(prefix) for prefix in kb.duplicate_exempt):
                continue
            (local if code.startswith(LOCAL_ATC_PREFIXES) else systemic).add(level4)
        hit = memo[drug.key] = (frozenset(systemic), frozenset(local))
    return hit


def classes_for_route(kb: KnowledgeBase, item: Item) -> frozenset[str]:
    systemic, local = systemic_and_local_classes(kb, item.drug)
    if item.route is None:
        return systemic | local
    return local if item.route in LOCAL_ROUTES else systemic


def clinical_codes(request: ReviewRequest) -> tuple[str, ...]:
    """Diagnoses and long-standing conditions, upper-cased: what indications and contraindications match."""
    return tuple(code.strip().upper() for code in (*request.diagnoses, *request.patient.conditions) if code.strip())
