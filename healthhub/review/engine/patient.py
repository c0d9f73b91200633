"""Checks of each drug against the patient: DOSE, ALLERGY, PREGNANCY, LACTATION, AGE,
CONTRAINDICATION and INDICATION. Where the knowledge base has no fact, an info finding says
"not checked"; silence means checked and fine."""
from healthhub.knowledge.kb import KnowledgeBase, normalize_name
from healthhub.review.engine.context import INJECTION_ROUTES, SEVERITY, Collector, Item
from healthhub.review.schemas import ReviewRequest, Severity

GROSS_OVERDOSE_RATIO = 2.0
TOLERANCE = 1.0001  # float rounding in mg/kg arithmetic is not an overdose
NO_ALLERGY_WORDS = frozenset({"无", "none", "nkda", "否认", "无过敏史", "否认药物过敏史", "无药物过敏史"})


def _fmt(value: float) -> str:
    return f"{value:g}"


def check_dose(kb: KnowledgeBase, request: ReviewRequest, item: Item, out: Collector) -> None:
    drug, source, label = item.drug, item.source, item.label
    _check_route(kb, item, out)
    if source.dose_mg is None:
        return  # FORMAT-MISSING-FIELD already asks for it
    patient = request.patient
    limits = [limit for limit in kb.dose_limits.get(drug.key, ()) if limit.applies(patient.age_years, item.route)]
    if not limits:
        out.add("DOSE-NOT-CHECKED", [label], f"{label}无适用于该年龄/途径的剂量上限数据，剂量未审核",
                f"{drug.name_en}: no dose limit for this age or route; dose not checked", None)
        return
    daily = source.dose_mg * source.times_per_day if source.times_per_day else None
    weight = patient.weight_kg
    for limit in limits:
        single_max = _limit(limit.max_single_mg, limit.max_single_mg_per_kg, weight)
        daily_max = _limit(limit.max_daily_mg, limit.max_daily_mg_per_kg, weight)
        if single_max is None and daily_max is None:
            out.add("DOSE-NOT-CHECKED", [label], f"{label}按体重计算剂量但缺少体重，剂量未审核",
                    f"{drug.name_en}: weight-based limit but no weight given; dose not checked", None)
            continue
        _compare(out, label, "单次", "single", source.dose_mg, single_max, "DOSE-SINGLE-MAX", limit.source)
        if daily is not None:
            _compare(out, label, "日", "daily", daily, daily_max, "DOSE-DAILY-MAX", limit.source)


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
    out.add(rule, [label], f"{label}{zh}剂量{_fmt(dose)}mg超过最大量{_fmt(round(maximum, 3))}mg（{ratio:.1f}倍）",
            f"{label}: {en} dose {_fmt(dose)} mg exceeds the maximum {_fmt(round(maximum, 3))} mg ({ratio:.1f}x)",
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


def check_special_populations(kb: KnowledgeBase, request: ReviewRequest, item: Item, out: Collector) -> None:
    patient, drug, label = request.patient, item.drug, item.label
    for active, facts, family, zh, en in ((patient.pregnant, kb.pregnancy, "PREGNANCY", "妊娠期", "pregnancy"),
                                          (patient.lactating, kb.lactation, "LACTATION", "哺乳期", "breastfeeding")):
        if not active:
            continue
        fact = facts.get(drug.key)
        if fact is None:
            out.add(f"{family}-NOT-CHECKED", [label], f"{label}无{zh}用药数据，未审核",
                    f"{drug.name_en}: no {en} data; not checked", None)
        elif fact.level == "contraindicated":
            out.add(f"{family}-CONTRAINDICATED", [label], f"{zh}禁用{label}：{fact.reason_zh}",
                    f"{drug.name_en} is contraindicated in {en}: {fact.reason_en}", {"source": fact.source})
        elif fact.level == "caution":
            out.add(f"{family}-CAUTION", [label], f"{zh}慎用{label}：{fact.reason_zh}",
                    f"{drug.name_en}: caution in {en}: {fact.reason_en}", {"source": fact.source})
    age = patient.age_years
    for limit in kb.age_limits.get(drug.key, ()):
        if limit.min_age is not None and age < limit.min_age:
            rule, bound = "AGE-PAEDIATRIC", f"<{_fmt(limit.min_age)}"
        elif limit.max_age is not None and age >= limit.max_age:
            rule, bound = "AGE-ELDERLY", f"≥{_fmt(limit.max_age)}"
        else:
            continue
        out.add(rule, [label], f"{label}：{limit.reason_zh}（患者{_fmt(age)}岁，限制{bound}岁）",
                f"{drug.name_en}: {limit.reason_en} (patient {_fmt(age)} y, limit {bound} y)",
                {"age_years": age, "source": limit.source}, SEVERITY[limit.severity])


def check_conditions(kb: KnowledgeBase, codes: tuple[str, ...], item: Item, out: Collector) -> None:
    drug, label = item.drug, item.label
    for rule in kb.contraindications.get(drug.key, ()):
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
                f"{drug.name_en}: no indication data; not checked", None)
    elif not any(r.matches(code) for r in ranges for code in codes):
        out.add("INDICATION-MISMATCH", [label], f"{label}与诊断（{'、'.join(request.diagnoses)}）不符，无适应证用药",
                f"{drug.name_en} matches none of the diagnoses ({', '.join(request.diagnoses)})",
                {"diagnoses": list(request.diagnoses)}, Severity.WARN)
