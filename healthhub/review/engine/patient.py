"""Checks of each drug against the patient: DOSE, ALLERGY, CONTRAINDICATION and INDICATION (the
special populations are in populations.py). Where the knowledge base has no fact, a finding says
"not checked"; silence means checked and fine."""
from healthhub.knowledge.facts import DoseLimit
from healthhub.knowledge.kb import KnowledgeBase, normalize_name
from healthhub.review.engine.context import INJECTION_ROUTES, SEVERITY, Collector, Item, fmt
from healthhub.review.engine.populations import PAEDIATRIC_AGE
from healthhub.review.schemas import ReviewRequest, Severity

GROSS_OVERDOSE_RATIO = 2.0
TOLERANCE = 1.0001  # float rounding in mg/kg arithmetic is not an overdose
NO_ALLERGY_WORDS = frozenset({"无", "none", "nkda", "否认", "无过敏史", "否认药物过敏史", "无药物过敏史"})


def check_dose(kb: KnowledgeBase, request: ReviewRequest, item: Item, out: Collector) -> None:
    drug, source, label = item.drug, item.source, item.label
    _check_route(kb, item, out)
    if source.dose_mg is None:
        return  # FORMAT-MISSING-FIELD already asks for it
    age, weight = request.patient.age_years, request.patient.weight_kg
    bands = kb.dose_limits.get(drug.key, ())
    limits = [limit for limit in bands if limit.applies(age, item.route)]
    if weight is None and (age < PAEDIATRIC_AGE or any(limit.needs_weight for limit in limits)):
        _weight_missing(item, age, limits, out)  # absolute maxima, where given, are still compared below
    elif not limits:
        out.add("DOSE-NOT-CHECKED", [label], f"{label}无适用于该年龄/途径的剂量上限数据，剂量未审核",
                f"{drug.name_en}: no dose limit for this age or route; dose not checked",
                {"drug": drug.key, "age_years": age, "route": item.route, "dose_bands": [b.band for b in bands]})
        return
    daily = source.dose_mg * source.times_per_day if source.times_per_day else None
    for limit in limits:
        single_max = _limit(limit.max_single_mg, limit.max_single_mg_per_kg, weight)
        daily_max = _limit(limit.max_daily_mg, limit.max_daily_mg_per_kg, weight)
        _compare(out, label, "单次", "single", source.dose_mg, single_max, "DOSE-SINGLE-MAX", limit.source)
        if daily is not None:
            _compare(out, label, "日", "daily", daily, daily_max, "DOSE-DAILY-MAX", limit.source)


def _weight_missing(item: Item, age: float, limits: list[DoseLimit], out: Collector) -> None:
    """RX-04: a child's dose, or any mg/kg maximum, cannot be judged without the weight on the prescription."""
    drug, label = item.drug, item.label
    per_kg = next((limit for limit in limits if limit.needs_weight), None)
    evidence = {"age_years": age, "weight_kg": None, "weight_required_below_years": PAEDIATRIC_AGE}
    if per_kg is not None:
        evidence["limit"] = {"band": per_kg.band, "max_single_mg_per_kg": per_kg.max_single_mg_per_kg,
                             "max_daily_mg_per_kg": per_kg.max_daily_mg_per_kg, "source": per_kg.source}
        zh, en = "按体重（mg/kg）限量", "the maximum is per kg"
    else:
        zh, en = f"患儿{fmt(age)}岁须按体重给药", f"a child of {fmt(age)} y is dosed by weight"
    out.add("DOSE-WEIGHT-MISSING", [label], f"{label}{zh}，处方未写体重，剂量无法审核，须药师确认（RX-04）",
            f"{drug.name_en}: {en} but no weight is given; the dose cannot be checked (RX-04)", evidence)


def _limit(absolute: float | None, per_kg: float | None, weight: float | None) -> float | None:
    by_weight = per_kg * weight if per_kg is not None and weight is not None else None
    if absolute is not None and by_weight is not None:
        return min(absolute, by_weight)
    return absolute if absolute is not None else by_weight


def _compare(out: Collector, label: str, zh: str, en: str, dose: float, maximum: float | None, rule: str,
             source: str) -> None:
    if maximum is None or dose <= maximum * TOLERANCE:
        return
    ratio = dose / maximum
    evidence = {"dose_mg": round(dose, 4), "max_mg": round(maximum, 4), "ratio": round(ratio, 2), "source": source}
    if ratio >= GROSS_OVERDOSE_RATIO:
        rule = "DOSE-GROSS-OVERDOSE"
    out.add(rule, [label], f"{label}{zh}剂量{fmt(dose)}mg超过最大量{fmt(round(maximum, 3))}mg（{ratio:.1f}倍）",
            f"{label}: {en} dose {fmt(dose)} mg exceeds the maximum {fmt(round(maximum, 3))} mg ({ratio:.1f}x)",
            evidence)


def _check_route(kb: KnowledgeBase, item: Item, out: Collector) -> None:
    route, label = item.route, item.label
    if route is None:
        return
    allowed = kb.drug_routes.get(item.drug.key)
    if allowed is not None and route not in allowed and not (route == "injection" and allowed & INJECTION_ROUTES):
        out.add("DOSE-ROUTE-MISMATCH", [label], f"{label}不适用“{item.source.route}”给药（可用：{'、'.join(sorted(allowed))}）",
                f"{item.drug.name_en} is not given by {route} (allowed: {', '.join(sorted(allowed))})",
                {"route": route, "allowed": sorted(allowed)})
    elif item.form is not None and route not in item.form.routes and route != "injection":
        out.add("DOSE-ROUTE-MISMATCH", [label], f"{label}剂型{item.form.form_zh}不能经“{item.source.route}”给药",
                f"{item.drug.name_en}: dosage form {item.form.form_zh} does not suit route {route}",
                {"route": route, "form": item.form.form_zh, "allowed": sorted(item.form.routes)})


def check_allergies(kb: KnowledgeBase, request: ReviewRequest, items: list[Item], out: Collector) -> None:
    known = [item for item in items if item.drug is not None]
    for allergen in request.patient.allergies:
        term = normalize_name(allergen)
        if not term or term in NO_ALLERGY_WORDS:
            continue
        profile = kb.allergen_terms.get(term)
        if profile is not None:
            _apply_profiles(kb, allergen, (profile,), known, out, set())
            continue
        drug = kb.resolve(allergen) or kb.resolve_product_name(allergen)[0] or kb.resolve_trade_name(allergen)
        if drug is None:
            out.add("ALLERGY-NOT-CHECKED", [], f"过敏原“{allergen}”无法识别，过敏未审核",
                    f"allergen {allergen!r} not recognised: allergy not checked", {"allergen": allergen})
            continue
        flagged = set()
        for item in known:
            if item.drug.key == drug.key:
                flagged.add(item.index)
                out.add("ALLERGY-DRUG", [item.label], f"患者对{item.label}过敏，禁用",
                        f"patient is allergic to {item.drug.name_en}", {"allergen": allergen})
        _apply_profiles(kb, allergen, kb.drug_allergy_profiles.get(drug.key, ()), known, out, flagged)


def _apply_profiles(kb: KnowledgeBase, allergen: str, profiles, known: list[Item], out: Collector,
                    flagged: set[int]) -> None:
    for item in known:
        if item.index in flagged:
            continue
        rules = [kb.allergy_profiles[p][item.drug.key] for p in profiles if item.drug.key in kb.allergy_profiles[p]]
        if not rules:
            continue
        rule = next((r for r in rules if r.severity == "block"), rules[0])
        flagged.add(item.index)
        out.add("ALLERGY-CLASS" if rule.severity == "block" else "ALLERGY-CROSS", [item.label],
                f"患者对“{allergen}”过敏：{rule.reason_zh}", f"allergy to {allergen!r}: {rule.reason_en}",
                {"allergen": allergen, "source": rule.source}, SEVERITY[rule.severity])


def check_conditions(kb: KnowledgeBase, codes: tuple[str, ...], item: Item, out: Collector) -> None:
    drug, label = item.drug, item.label
    rules = kb.contraindications.get(drug.key, ())
    if not rules:
        if codes:  # with no diagnosis nor condition there is nothing to check (FORMAT-NO-DIAGNOSIS says so)
            out.add("CONTRAINDICATION-NOT-CHECKED", [label],
                    f"{label}无疾病禁忌数据，与患者疾病（{'、'.join(codes)}）的禁忌关系未审核",
                    f"{drug.name_en}: no condition contraindication data; not checked against {', '.join(codes)}",
                    {"drug": drug.key, "contraindication_rows": 0, "icd10": list(codes)})
        return
    for rule in rules:
        code = next((c for c in codes if rule.icd.matches(c)), None)
        if code is not None:
            out.add("CONTRAINDICATION-CONDITION", [label], f"{label}：{rule.reason_zh}（{code}）",
                    f"{drug.name_en}: {rule.reason_en} ({code})",
                    {"icd10": code, "rule": str(rule.icd), "source": rule.source}, SEVERITY[rule.severity])


def check_indication(kb: KnowledgeBase, request: ReviewRequest, codes: tuple[str, ...], item: Item,
                     out: Collector) -> None:
    if not request.diagnoses:
        return  # FORMAT-NO-DIAGNOSIS already reports it
    drug, label = item.drug, item.label
    ranges = kb.indications.get(drug.key)
    if ranges is None:
        out.add("INDICATION-NOT-CHECKED", [label], f"{label}无适应证数据，适应证未审核",
                f"{drug.name_en}: no indication data; not checked",
                {"drug": drug.key, "indication_rows": 0, "diagnoses": list(request.diagnoses)})
    elif not any(r.matches(code) for r in ranges for code in codes):
        out.add("INDICATION-MISMATCH", [label], f"{label}与诊断（{'、'.join(request.diagnoses)}）不符，无适应证用药",
                f"{drug.name_en} matches none of the diagnoses ({', '.join(request.diagnoses)})",
                {"diagnoses": list(request.diagnoses)}, Severity.WARN)
