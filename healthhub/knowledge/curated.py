"""Curated tables shipped in healthhub/knowledge/data/: the drug list and the clinical facts."""
from pathlib import Path

from healthhub.knowledge.facts import (
    ATC_CODE,
    DDI_SEVERITIES,
    AgeLimit,
    AllergyRule,
    Caution,
    ConditionRule,
    DosageForm,
    DoseLimit,
    DrugGroup,
    Interaction,
    parse_icd_list,
)
from healthhub.knowledge.kb import KnowledgeBase, normalize_name
from healthhub.knowledge.model import DrugFacts, RxClass, SpecialClass
from healthhub.knowledge.tables import (
    RowError,
    choice,
    expand_members,
    expand_subject,
    optional_float,
    read_rows,
    require_source,
)

DATA_DIR = Path(__file__).parent / "data"
CURATED_FILES = ("drugs.csv", "compounds.csv", "groups.csv", "duplicate_exemptions.csv", "ddi_curated.csv", "dose_limits.csv",
                 "contraindications.csv", "pregnancy.csv", "lactation.csv", "age_limits.csv", "allergy_classes.csv",
                 "routes.csv", "dosage_forms.csv", "drug_routes.csv", "indications.csv")
CAUTION_LEVELS = ("contraindicated", "caution", "compatible")
SEVERITIES = ("block", "warn")


def _split(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(";") if t.strip())


def _flag(row: dict[str, str], column: str) -> bool:
    return choice(row, column, ("", "yes", "no")) == "yes"


def drug_from_row(row: dict[str, str]) -> DrugFacts:
    source = require_source(row)
    key, name_zh, name_en = row.get("key", ""), row.get("name_zh", ""), row.get("name_en", "")
    if not key or not name_zh or not name_en:
        raise RowError("key, name_zh and name_en are required")
    atc_codes = _split(row.get("atc_codes", ""))
    for code in atc_codes:
        if len(code) != 7 or not ATC_CODE.match(code):
            raise RowError(f"bad ATC code {code!r} (a drug needs level-5 codes such as J01CA04)")
    rx = choice(row, "rx_class", ("", *[c.value for c in RxClass]))
    special = choice(row, "special_class", ("", *[c.value for c in SpecialClass]))
    insurance = choice(row, "insurance_category", ("", "A", "B"))
    banned = _flag(row, "online_sale_banned")
    if banned and not row.get("ban_reason"):
        raise RowError("online_sale_banned needs a ban_reason")
    return DrugFacts(
        key=key, name_zh=name_zh, name_en=name_en, atc_codes=atc_codes, aliases=_split(row.get("aliases", "")),
        trade_names=_split(row.get("trade_names", "")), rx_class=RxClass(rx) if rx else None,
        special_class=SpecialClass(special) if special else None, online_sale_banned=banned,
        ban_reason=row.get("ban_reason") or None, cold_chain=_flag(row, "cold_chain"),
        insurance_category=insurance or None, antimicrobial=_flag(row, "antimicrobial"), sources=(source,))


def load_drugs(kb: KnowledgeBase, data_dir: Path = DATA_DIR) -> None:
    table = "drugs.csv"
    for line, row in read_rows(data_dir / table, ("key", "name_zh", "name_en", "atc_codes", "source"), kb.report):
        try:
            drug = drug_from_row(row)
            clash = next((n for n in (drug.key, drug.name_zh, drug.name_en, *drug.aliases)
                          if kb.has_name(n)), None)
            if clash:
                raise RowError(f"name {clash!r} already belongs to another drug")
        except RowError as exc:
            kb.report.reject(table, line, str(exc))
            continue
        kb.add_drug(drug)
        kb.report.accept(table)


def load_reference_tables(kb: KnowledgeBase, data_dir: Path = DATA_DIR) -> None:
    """Routes and dosage forms: needed before shared product names are matched."""
    report = kb.report
    aliases = {}
    for line, row in read_rows(data_dir / "routes.csv", ("alias", "route", "source"), report):
        try:
            require_source(row)
            if not row["alias"] or not row["route"]:
                raise RowError("alias and route are required")
        except RowError as exc:
            report.reject("routes.csv", line, str(exc))
            continue
        aliases[normalize_name(row["alias"])] = row["route"]
        report.accept("routes.csv")
    kb.route_aliases = aliases
    known_routes = set(aliases.values())
    forms = []
    for line, row in read_rows(data_dir / "dosage_forms.csv", ("suffix", "form_zh", "routes", "source"), report):
        try:
            require_source(row)
            routes = frozenset(_split(row["routes"]))
            if not row["suffix"] or not routes or routes - known_routes:
                raise RowError(f"suffix and known routes are required (unknown: {sorted(routes - known_routes)})")
        except RowError as exc:
            report.reject("dosage_forms.csv", line, str(exc))
            continue
        forms.append(DosageForm(normalize_name(row["suffix"]), row["form_zh"], routes))
        report.accept("dosage_forms.csv")
    kb.dosage_forms = tuple(sorted(forms, key=lambda f: -len(f.suffix)))


def load_groups(kb: KnowledgeBase, data_dir: Path = DATA_DIR) -> None:
    table = "groups.csv"
    for line, row in read_rows(data_dir / table, ("group", "name_zh", "name_en", "members", "source"), kb.report):
        try:
            source = require_source(row)
            members = frozenset(expand_members(kb, row["members"]))
            group = DrugGroup(row["group"], row["name_zh"], row["name_en"], members,
                              _flag(row, "duplicate_check"), source)
        except RowError as exc:
            kb.report.reject(table, line, str(exc))
            continue
        kb.groups[group.key] = group
        kb.report.accept(table)
    groups_of: dict[str, list[str]] = {}
    for group in kb.groups.values():
        if group.duplicate_check:
            for key in group.members:
                groups_of.setdefault(key, []).append(group.key)
    kb.groups_of = {k: tuple(v) for k, v in groups_of.items()}
    exempt = []
    for line, row in read_rows(data_dir / "duplicate_exemptions.csv", ("atc_prefix", "source"), kb.report):
        if not row["atc_prefix"] or not ATC_CODE.match(row["atc_prefix"]) or not row.get("source"):
            kb.report.reject("duplicate_exemptions.csv", line, "bad ATC prefix or missing source")
            continue
        exempt.append(row["atc_prefix"])
        kb.report.accept("duplicate_exemptions.csv")
    kb.duplicate_exempt = tuple(exempt)


def load_curated_interactions(kb: KnowledgeBase, data_dir: Path = DATA_DIR) -> None:
    """Curated pairs override the DDInter grade: they carry the label's contraindications DDInter lacks."""
    table = "ddi_curated.csv"
    for line, row in read_rows(data_dir / table, ("drug_a", "drug_b", "severity", "source"), kb.report):
        try:
            source = require_source(row)
            severity = choice(row, "severity", DDI_SEVERITIES)
            side_a, side_b = expand_subject(kb, row["drug_a"]), expand_subject(kb, row["drug_b"])
        except RowError as exc:
            kb.report.reject(table, line, str(exc))
            continue
        fact = Interaction(severity, row.get("mechanism_zh", ""), row.get("mechanism_en", ""), source)
        for a in side_a:
            for b in side_b:
                if a != b:
                    kb.interactions[(a, b) if a < b else (b, a)] = fact
        kb.report.accept(table)


def _per_drug(kb: KnowledgeBase, table: str, required: tuple[str, ...], data_dir: Path, parse) -> dict[str, list]:
    """Rows whose `drug` column is a subject; `parse(row)` builds the fact or raises RowError."""
    out: dict[str, list] = {}
    for line, row in read_rows(data_dir / table, ("drug", "source", *required), kb.report):
        try:
            require_source(row)
            keys = expand_subject(kb, row["drug"])
            fact = parse(row)
        except (RowError, ValueError) as exc:
            kb.report.reject(table, line, str(exc))
            continue
        for key in keys:
            out.setdefault(key, []).append(fact)
        kb.report.accept(table)
    return out


def _dose_limit(row: dict[str, str]) -> DoseLimit:
    values = [optional_float(row, c) for c in ("max_single_mg", "max_daily_mg", "max_single_mg_per_kg",
                                                 "max_daily_mg_per_kg")]
    if all(v is None for v in values):
        raise RowError("a dose limit needs at least one maximum")
    route = row.get("route") or None
    return DoseLimit(optional_float(row, "age_min_years") or 0.0, optional_float(row, "age_max_years"), route,
                     *values, row["source"])


def _conditions(row: dict[str, str]) -> list[ConditionRule]:
    severity = choice(row, "severity", SEVERITIES)
    return [ConditionRule(icd, severity, row.get("reason_zh", ""), row.get("reason_en", ""), row["source"])
            for icd in parse_icd_list(row["icd10"])]


def _caution(row: dict[str, str]) -> Caution:
    level = choice(row, "level", CAUTION_LEVELS)
    if level != "compatible" and not (row.get("reason_zh") and row.get("reason_en")):
        raise RowError("reason_zh and reason_en are required")
    return Caution(level, row.get("reason_zh", ""), row.get("reason_en", ""), row["source"])


def _age_limit(row: dict[str, str]) -> AgeLimit:
    low, high = optional_float(row, "min_age_years"), optional_float(row, "max_age_years")
    if low is None and high is None:
        raise RowError("min_age_years or max_age_years is required")
    return AgeLimit(low, high, choice(row, "severity", SEVERITIES), row.get("reason_zh", ""),
                    row.get("reason_en", ""), row["source"])


def _strictest(cautions: list[Caution]) -> Caution:
    return min(cautions, key=lambda c: CAUTION_LEVELS.index(c.level))


def load_clinical_tables(kb: KnowledgeBase, data_dir: Path = DATA_DIR) -> None:
    kb.dose_limits = {k: tuple(v) for k, v in _per_drug(
        kb, "dose_limits.csv", ("max_single_mg", "max_daily_mg"), data_dir, _dose_limit).items()}
    kb.contraindications = {k: tuple(c for rules in v for c in rules) for k, v in _per_drug(
        kb, "contraindications.csv", ("icd10", "severity"), data_dir, _conditions).items()}
    kb.pregnancy = {k: _strictest(v) for k, v in _per_drug(
        kb, "pregnancy.csv", ("level",), data_dir, _caution).items()}
    kb.lactation = {k: _strictest(v) for k, v in _per_drug(
        kb, "lactation.csv", ("level",), data_dir, _caution).items()}
    kb.age_limits = {k: tuple(v) for k, v in _per_drug(
        kb, "age_limits.csv", ("severity",), data_dir, _age_limit).items()}
    kb.indications = {k: tuple(r for ranges in v for r in ranges) for k, v in _per_drug(
        kb, "indications.csv", ("icd10",), data_dir, lambda row: parse_icd_list(row["icd10"])).items()}
    routes = _per_drug(kb, "drug_routes.csv", ("routes",), data_dir, lambda row: _routes(kb, row))
    kb.drug_routes = {k: frozenset().union(*v) for k, v in routes.items()}
    _load_allergies(kb, data_dir)


def _routes(kb: KnowledgeBase, row: dict[str, str]) -> frozenset[str]:
    routes = frozenset(_split(row["routes"]))
    unknown = routes - set(kb.route_aliases.values())
    if not routes or unknown:
        raise RowError(f"unknown routes {sorted(unknown)}")
    return routes


def _load_allergies(kb: KnowledgeBase, data_dir: Path) -> None:
    """One profile per allergen term set ("青霉素;penicillin"): which drugs it forbids or warns about.

    A patient allergic to a named drug (阿莫西林) inherits the profiles whose blocking class holds it.
    """
    table = "allergy_classes.csv"
    profile_ids: dict[tuple[str, ...], int] = {}
    profiles: list[dict[str, AllergyRule]] = []
    blocking_members: dict[int, set[str]] = {}
    for line, row in read_rows(data_dir / table, ("allergen_terms", "target", "severity", "source"), kb.report):
        try:
            source = require_source(row)
            terms = tuple(sorted(normalize_name(t) for t in _split(row["allergen_terms"])))
            if not terms:
                raise RowError("no allergen terms")
            targets = expand_subject(kb, row["target"])
            rule = AllergyRule(choice(row, "severity", SEVERITIES), row.get("reason_zh", ""),
                               row.get("reason_en", ""), source)
        except RowError as exc:
            kb.report.reject(table, line, str(exc))
            continue
        profile = profile_ids.setdefault(terms, len(profiles))
        if profile == len(profiles):
            profiles.append({})
        for key in targets:
            current = profiles[profile].get(key)
            if current is None or (current.severity == "warn" and rule.severity == "block"):
                profiles[profile][key] = rule
        if rule.severity == "block":
            blocking_members.setdefault(profile, set()).update(targets)
        for term in terms:
            kb.allergen_terms[term] = profile
        kb.report.accept(table)
    kb.allergy_profiles = profiles
    by_drug: dict[str, list[int]] = {}
    for profile, members in blocking_members.items():
        for key in members:
            by_drug.setdefault(key, []).append(profile)
    kb.drug_allergy_profiles = {k: tuple(v) for k, v in by_drug.items()}
