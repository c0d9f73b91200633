"""PREGNANCY, LACTATION and AGE: the special populations of RV-03d.

A missing fact is never silence: where the knowledge base knows nothing about a drug for this patient's
group, an info finding says "not checked"; for a young child it is a warning, because an adult drug
without any paediatric knowledge is exactly what a pharmacist must look at (RV-04).
"""
from healthhub.knowledge.kb import KnowledgeBase
from healthhub.review.engine.context import SEVERITY, Collector, Item, fmt
from healthhub.review.schemas import ReviewRequest

# Under 12 a child is dosed by weight: the curated paediatric bands are mg/kg and end at 12, where Chinese
# package inserts start their adult ("12岁以上儿童及成人") doses. RX-04 asks for the weight of such a child.
PAEDIATRIC_AGE = 12.0
ADULT_AGE = 18.0  # below it the age checks look for paediatric knowledge
ELDERLY_AGE = 65.0  # the curated elderly rows (Beers criteria) start here


def check_special_populations(kb: KnowledgeBase, request: ReviewRequest, item: Item, out: Collector) -> None:
    patient, drug, label = request.patient, item.drug, item.label
    for active, facts, family, zh, en in ((patient.pregnant, kb.pregnancy, "PREGNANCY", "妊娠期", "pregnancy"),
                                          (patient.lactating, kb.lactation, "LACTATION", "哺乳期", "breastfeeding")):
        if not active:
            continue
        fact = facts.get(drug.key)
        if fact is None:
            out.add(f"{family}-NOT-CHECKED", [label], f"{label}无{zh}用药数据，未审核",
                    f"{drug.name_en}: no {en} data; not checked", {"drug": drug.key, "facts": 0, "population": en})
        elif fact.level == "contraindicated":
            out.add(f"{family}-CONTRAINDICATED", [label], f"{zh}禁用{label}：{fact.reason_zh}",
                    f"{drug.name_en} is contraindicated in {en}: {fact.reason_en}", {"source": fact.source})
        elif fact.level == "caution":
            out.add(f"{family}-CAUTION", [label], f"{zh}慎用{label}：{fact.reason_zh}",
                    f"{drug.name_en}: caution in {en}: {fact.reason_en}", {"source": fact.source})
    check_age(kb, patient.age_years, item, out)


def check_age(kb: KnowledgeBase, age: float, item: Item, out: Collector) -> None:
    drug, label = item.drug, item.label
    limits = kb.age_limits.get(drug.key, ())
    for limit in limits:
        if limit.min_age is not None and age < limit.min_age:
            rule, bound = "AGE-PAEDIATRIC", f"<{fmt(limit.min_age)}"
        elif limit.max_age is not None and age >= limit.max_age:
            rule, bound = "AGE-ELDERLY", f"≥{fmt(limit.max_age)}"
        else:
            continue
        out.add(rule, [label], f"{label}：{limit.reason_zh}（患者{fmt(age)}岁，限制{bound}岁）",
                f"{drug.name_en}: {limit.reason_en} (patient {fmt(age)} y, limit {bound} y)",
                {"age_years": age, "source": limit.source}, SEVERITY[limit.severity])
    if age < ADULT_AGE:
        _paediatric_knowledge(kb, age, item, out, has_age_fact=any(limit.min_age is not None for limit in limits))
    elif age >= ELDERLY_AGE and not any(limit.max_age is not None for limit in limits):
        out.add("AGE-NOT-CHECKED", [label], f"{label}无老年人用药数据（{fmt(ELDERLY_AGE)}岁及以上），老年用药未审核",
                f"{drug.name_en}: no data for older adults ({fmt(ELDERLY_AGE)} y and over); not checked",
                {"drug": drug.key, "age_years": age, "population": "elderly", "elderly_age_facts": 0})


def _paediatric_knowledge(kb: KnowledgeBase, age: float, item: Item, out: Collector, *, has_age_fact: bool) -> None:
    """A child is covered by a minimum-age fact or by a dose band for their age (the label doses them)."""
    drug, label = item.drug, item.label
    bands = kb.dose_limits.get(drug.key, ())
    if has_age_fact or any(band.applies(age, None) for band in bands):
        return
    evidence = {"drug": drug.key, "age_years": age, "paediatric_age_facts": 0,
                "dose_bands": [band.band for band in bands]}
    if age < PAEDIATRIC_AGE:
        out.add("AGE-PAEDIATRIC-NO-DATA", [label],
                f"{label}无儿童年龄限制及{fmt(age)}岁儿童剂量数据，儿童用药安全性未审核，须药师人工审核",
                f"{drug.name_en}: no age limit and no dose for a child of {fmt(age)} y; "
                f"paediatric safety not checked, a pharmacist must review it",
                {**evidence, "warn_below_years": PAEDIATRIC_AGE})
    else:
        out.add("AGE-NOT-CHECKED", [label], f"{label}无{fmt(age)}岁青少年用药数据，年龄适宜性未审核",
                f"{drug.name_en}: no data for an adolescent of {fmt(age)} y; not checked", evidence)
