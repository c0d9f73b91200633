"""DDI and DUPLICATE: checks over pairs of prescribed drugs (dict lookups, no scans)."""
from healthhub.knowledge.facts import Interaction
from healthhub.knowledge.kb import KnowledgeBase
from healthhub.review.engine.context import Collector, Item, classes_for_route

DDI_RULES = {
    "contraindicated": ("DDI-CONTRAINDICATED", "禁忌联用", "contraindicated"),
    "major": ("DDI-MAJOR", "严重相互作用", "major interaction"),
    "moderate": ("DDI-MODERATE", "中度相互作用", "moderate interaction"),
    "minor": ("DDI-MINOR", "轻度相互作用", "minor interaction"),
    "unknown": ("DDI-UNKNOWN-SEVERITY", "存在相互作用（严重程度未知）", "interaction of unknown severity"),
}


def _known_pairs(items: list[Item]):
    known = [item for item in items if item.drug is not None]
    for i, first in enumerate(known):
        for second in known[i + 1:]:
            yield first, second


def check_interactions(kb: KnowledgeBase, items: list[Item], out: Collector) -> None:
    not_covered: dict[str, str] = {}  # label -> drug key
    for first, second in _known_pairs(items):
        a, b = first.drug.key, second.drug.key
        if a == b:
            continue
        fact = kb.interaction(a, b)
        if fact is None:
            for item in (first, second):
                if item.drug.key not in kb.ddi_covered:
                    not_covered[item.label] = item.drug.key
            continue
        rule, zh, en = DDI_RULES[fact.severity]
        out.add(rule, [first.label, second.label], f"{first.label}与{second.label}{zh}：{_mechanism_zh(fact)}",
                f"{first.drug.name_en} with {second.drug.name_en}: {en}: {_mechanism_en(fact)}",
                {"severity": fact.severity, "mechanism": fact.mechanism_en or None, "source": fact.source})
    if not_covered:
        names = list(not_covered)
        out.add("DDI-NOT-CHECKED", names, f"{'、'.join(names)}无相互作用数据，相互作用未审核",
                f"no interaction data for {', '.join(names)}: interactions not checked",
                {"drugs_without_interaction_data": list(not_covered.values())})


# DDInter's download files give a severity only; saying so beats an empty string a reader takes for an omission.
def _mechanism_zh(fact: Interaction) -> str:
    return fact.mechanism_zh or f"作用机制未知（数据来源{fact.source}未提供机制说明）"


def _mechanism_en(fact: Interaction) -> str:
    return fact.mechanism_en or f"mechanism not given by the source ({fact.source})"


def check_duplicates(kb: KnowledgeBase, items: list[Item], out: Collector) -> None:
    for first, second in _known_pairs(items):
        labels = [first.label, second.label]
        if first.drug.key == second.drug.key:
            out.add("DUPLICATE-SAME-DRUG", labels[:1], f"{first.label}在同一处方中重复开具",
                    f"{first.drug.name_en} is prescribed twice", {"items": [first.index, second.index]})
            continue
        shared = classes_for_route(kb, first) & classes_for_route(kb, second)
        if shared:
            code = min(shared)
            name = kb.group_name(code)
            out.add("DUPLICATE-ATC-CLASS", labels, f"{first.label}与{second.label}同属{name}（{code}），重复用药",
                    f"{first.drug.name_en} and {second.drug.name_en} share ATC class {code}", {"atc_class": code})
            continue
        groups = set(kb.groups_of.get(first.drug.key, ())) & set(kb.groups_of.get(second.drug.key, ()))
        if groups:
            group = kb.groups[min(groups)]
            out.add("DUPLICATE-NAMED-CLASS", labels, f"{first.label}与{second.label}同属{group.name_zh}，重复用药",
                    f"{first.drug.name_en} and {second.drug.name_en} are both {group.name_en}",
                    {"group": group.key, "source": group.source})
