"""The in-memory knowledge base: drugs, their names, and clinical facts indexed for dict lookups.

Built once per process by `builder.build_knowledge_base` (see `service.get_knowledge_base`); read-only
afterwards, so one instance is safely shared by every request and thread.
"""
import re
from bisect import bisect_left
from collections.abc import Iterable

from healthhub.knowledge.facts import (
    AgeLimit,
    AllergyRule,
    Caution,
    ConditionRule,
    DosageForm,
    DoseLimit,
    DrugGroup,
    IcdRange,
    Interaction,
)
from healthhub.knowledge.model import DrugFacts
from healthhub.knowledge.report import ImportReport

# Salt and ester words around a generic name on Chinese product labels (盐酸二甲双胍, 氯沙坦钾):
# stripped only when the exact name is unknown, so 丙戊酸钠 or 苯妥英钠 still match as written.
SALT_PREFIXES = ("硫酸氢", "盐酸", "硫酸", "马来酸", "苯磺酸", "甲磺酸", "富马酸", "琥珀酸", "酒石酸", "枸橼酸",
                 "磷酸", "醋酸", "氢溴酸", "硝酸", "乳酸", "葡萄糖酸", "草酸", "门冬氨酸", "精氨酸", "重酒石酸")
SALT_SUFFIXES = ("钠", "钾", "钙", "镁", "锌")
RELEASE_WORDS = ("注射用",)
VARIANT_MARK = re.compile(r"\([^()]*\)$")


def normalize_name(text: str) -> str:
    """Case-insensitive, whitespace-insensitive, full-width brackets folded: the key of every name index."""
    return " ".join(text.replace("（", "(").replace("）", ")").split()).casefold()


class KnowledgeBase:
    def __init__(self) -> None:
        self.version = ""
        self.report = ImportReport()
        self._drugs: dict[str, DrugFacts] = {}
        self._names: dict[str, str] = {}  # normalized name, alias or ATC code -> drug key
        self._trade_names: dict[str, str] = {}  # normalized trade name -> drug key
        self._atc_index: list[tuple[str, str]] = []  # sorted (atc code, drug key)
        self.atc_group_names: dict[str, str] = {}  # ATC level 1-4 code -> name (Chinese where known)
        self.groups: dict[str, DrugGroup] = {}
        self.groups_of: dict[str, tuple[str, ...]] = {}  # drug key -> duplicate-checked group keys
        self.interactions: dict[tuple[str, str], Interaction] = {}  # (key_a, key_b) sorted
        self.ddi_covered: frozenset[str] = frozenset()  # drugs that some interaction source covers
        self.duplicate_exempt: tuple[str, ...] = ()  # ATC prefixes where same-class use is standard care
        self.dose_limits: dict[str, tuple[DoseLimit, ...]] = {}
        self.contraindications: dict[str, tuple[ConditionRule, ...]] = {}
        self.pregnancy: dict[str, Caution] = {}
        self.lactation: dict[str, Caution] = {}
        self.age_limits: dict[str, tuple[AgeLimit, ...]] = {}
        self.allergen_terms: dict[str, int] = {}  # normalized allergen term -> allergy profile id
        self.allergy_profiles: list[dict[str, AllergyRule]] = []  # profile id -> {drug key: rule}
        self.drug_allergy_profiles: dict[str, tuple[int, ...]] = {}  # drug key -> profiles it belongs to
        self.drug_routes: dict[str, frozenset[str]] = {}
        self.route_aliases: dict[str, str] = {}
        self.dosage_forms: tuple[DosageForm, ...] = ()  # longest suffix first
        self.indications: dict[str, tuple[IcdRange, ...]] = {}
        # Per-instance memo for consumers' derived indexes (the review engine's per-drug class sets):
        # lives and dies with this KB version.
        self.derived: dict = {}

    # -- building (used by builder only) -------------------------------------------------------
    def add_drug(self, drug: DrugFacts) -> None:
        self._drugs[drug.key] = drug
        for name in (drug.key, drug.name_zh, drug.name_en, *drug.aliases, *drug.atc_codes):
            if name:
                self._names.setdefault(normalize_name(name), drug.key)
        for name in drug.trade_names:
            self._trade_names.setdefault(normalize_name(name), drug.key)

    def replace_drug(self, drug: DrugFacts) -> None:
        """Re-register a drug whose facts grew (more ATC codes, aliases, insurance codes)."""
        self.add_drug(drug)

    def finish_indexes(self) -> None:
        self._atc_index = sorted((code, d.key) for d in self._drugs.values() for code in d.atc_codes)

    def drug(self, key: str) -> DrugFacts:
        return self._drugs[key]

    def has_name(self, name: str) -> bool:
        return normalize_name(name) in self._names

    # -- public lookups ------------------------------------------------------------------------
    def drugs(self) -> Iterable[DrugFacts]:
        return self._drugs.values()

    def __len__(self) -> int:
        return len(self._drugs)

    def resolve(self, name_or_atc: str) -> DrugFacts | None:
        """Chinese or English generic name, alias or ATC code (any case); None when unknown."""
        key = self._names.get(normalize_name(name_or_atc))
        return self._drugs[key] if key else None

    def resolve_trade_name(self, name: str) -> DrugFacts | None:
        key = self._trade_names.get(normalize_name(name))
        return self._drugs[key] if key else None

    def resolve_product_name(self, product_name: str) -> tuple[DrugFacts | None, str | None]:
        """"盐酸二甲双胍缓释片" -> (metformin, "片剂"): strips dosage form, release words and salts.

        A trailing variant mark ("复方磷酸可待因口服溶液(Ⅲ)", "...混合注射液(25R)") is dropped when the
        name as written is unknown: the variant is the same preparation for classification.
        """
        name = normalize_name(product_name)
        facts, form = self._resolve_product_name(name)
        if facts is None and VARIANT_MARK.search(name):
            facts, form = self._resolve_product_name(VARIANT_MARK.sub("", name).strip())
        return facts, form

    def _resolve_product_name(self, name: str) -> tuple[DrugFacts | None, str | None]:
        form = None
        for word in RELEASE_WORDS:
            if name.startswith(word):
                name, form = name[len(word):], "注射剂"
        for dosage_form in self.dosage_forms:
            if name.endswith(dosage_form.suffix) and len(name) > len(dosage_form.suffix):
                name, form = name[: -len(dosage_form.suffix)], form or dosage_form.form_zh
                break
        facts = self._lookup_with_salts(name)
        return facts, form

    def _lookup_with_salts(self, name: str) -> DrugFacts | None:
        key = self._names.get(name)
        if key is None:
            for prefix in SALT_PREFIXES:
                if name.startswith(prefix) and (key := self._names.get(name[len(prefix):])):
                    break
        if key is None:
            for suffix in SALT_SUFFIXES:
                if name.endswith(suffix) and (key := self._names.get(name[: -len(suffix)])):
                    break
        return self._drugs[key] if key else None

    def form_of(self, text: str) -> DosageForm | None:
        """The dosage form a free-text form ("缓释片", "片剂", "注射液") names, if any."""
        name = normalize_name(text)
        for dosage_form in self.dosage_forms:
            if name.endswith(dosage_form.suffix) or name == dosage_form.form_zh:
                return dosage_form
        return None

    def form_named(self, form_zh: str) -> DosageForm | None:
        for dosage_form in self.dosage_forms:
            if dosage_form.form_zh == form_zh:
                return dosage_form
        return None

    def keys_with_atc_prefix(self, prefix: str) -> set[str]:
        out = set()
        index = self._atc_index
        i = bisect_left(index, (prefix, ""))
        while i < len(index) and index[i][0].startswith(prefix):
            out.add(index[i][1])
            i += 1
        return out

    def interaction(self, key_a: str, key_b: str) -> Interaction | None:
        return self.interactions.get((key_a, key_b) if key_a < key_b else (key_b, key_a))

    def group_name(self, code: str) -> str:
        return self.atc_group_names.get(code, code)

    def summary(self) -> dict[str, int]:
        return {
            "drugs": len(self._drugs),
            "drugs_with_atc": sum(1 for d in self._drugs.values() if d.atc_codes),
            "drugs_with_chinese_name": sum(1 for d in self._drugs.values() if d.name_zh),
            "names_indexed": len(self._names),
            "trade_names": len(self._trade_names),
            "interactions": len(self.interactions),
            "groups": len(self.groups),
            "drugs_with_dose_limits": len(self.dose_limits),
            "drugs_with_contraindications": len(self.contraindications),
            "drugs_with_pregnancy_facts": len(self.pregnancy),
            "drugs_with_lactation_facts": len(self.lactation),
            "drugs_with_age_limits": len(self.age_limits),
            "drugs_with_indications": len(self.indications),
            "allergen_terms": len(self.allergen_terms),
        }
