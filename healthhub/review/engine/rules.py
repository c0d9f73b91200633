"""The rule catalogue: every rule's id, family, default severity and what it checks.

`floor` is the lowest severity the law allows a tenant to set (None: the rule may be lowered or
disabled). BANNED and FORMAT rules carry their default as floor; an unknown drug is never silent.
"""
from dataclasses import dataclass, replace

from healthhub.review.schemas import Family, Severity

SEVERITY_RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.BLOCK: 2}


@dataclass(frozen=True)
class Rule:
    id: str
    family: Family
    severity: Severity
    description_zh: str
    description_en: str
    floor: Severity | None = None


def _rules(family: Family, floor_is_default: bool, *rows: tuple[str, Severity, str, str]) -> list[Rule]:
    return [Rule(rid, family, sev, zh, en, sev if floor_is_default else None) for rid, sev, zh, en in rows]


B, W, I = Severity.BLOCK, Severity.WARN, Severity.INFO
_CATALOGUE = [
    *_rules(Family.LEGAL, False,
            ("LEGAL-PRESCRIBER-UNQUALIFIED", B, "处方医师无相应处方权（RV-03、RX-07）",
             "prescriber lacks prescribing rights (RV-03, RX-07)"),
            ("LEGAL-SIGNATURE-INVALID", B, "医师电子签名无效（DP-07、IDT-08）",
             "the prescriber's e-signature is invalid (DP-07, IDT-08)"),
            ("LEGAL-PATIENT-UNIDENTIFIED", B, "患者未实名认证（IDT-06）", "patient identity not verified (IDT-06)"),
            ("LEGAL-EXPIRED", B, "处方已过有效期（RX-01）", "prescription has expired (RX-01)"),
            ("LEGAL-VALIDITY-TOO-LONG", W, "处方有效期延长超过3天（RX-01）",
             "validity extended beyond 3 days (RX-01)"),
            ("LEGAL-DATE-INVALID", W, "处方日期无法识别", "prescription dates cannot be read"),
            ("LEGAL-NOT-CHECKED", I, "合法性要素未提供，未审核", "legality facts not provided: not checked"),
            ("LEGAL-UNKNOWN-DRUG", W, "药品无法识别，须药师人工审核（RV-04）",
             "drug not recognised; a pharmacist must review it (RV-04)")),
    *_rules(Family.FORMAT, True,
            ("FORMAT-TOO-MANY-ITEMS", B, "西药/中成药处方超过5种药品（RX-03）", "more than 5 drugs (RX-03)"),
            ("FORMAT-GENERIC-NAME", W, "未使用药品通用名（RX-05）", "generic name not used (RX-05)"),
            ("FORMAT-MISSING-FIELD", W, "缺少剂量、频次、途径或天数（RX-04）",
             "dose, frequency, route or days missing (RX-04)"),
            ("FORMAT-ROUTE-UNKNOWN", W, "给药途径无法识别", "route of administration not recognised"),
            ("FORMAT-NO-DIAGNOSIS", W, "处方未写临床诊断（RX-04）", "no diagnosis stated (RX-04)"),
            ("FORMAT-DAYS-EXCEEDED", W, "用药天数超过7天且未注明理由（RX-02）",
             "more than 7 days without a stated reason (RX-02)"),
            ("FORMAT-EMERGENCY-DAYS", W, "急诊处方超过3天（RX-02）", "emergency prescription over 3 days (RX-02)"),
            ("FORMAT-LONG-TERM-EXCEEDED", B, "长期处方超过12周（RX-09）", "long-term prescription over 12 weeks (RX-09)"),
            ("FORMAT-LONG-TERM-EXCLUDED", B, "该药品不得开具长期处方（RX-09）",
             "drug excluded from long-term prescriptions (RX-09)"),
            ("FORMAT-LONG-TERM-STORAGE", W, "有特殊储存要求的药品开具长期处方（RX-09）",
             "drug with special storage needs on a long-term prescription (RX-09)")),
    *_rules(Family.BANNED, True,
            ("BANNED-SPECIAL", B, "特殊管理药品不得网上开具或销售（IDT-09、OD-01）",
             "specially controlled drug: not prescribed or sold online (IDT-09, OD-01)"),
            ("BANNED-ONLINE-SALE", B, "药品网络销售禁止清单品种（OD-01a）",
             "on the online-sale ban list (OD-01a)"),
            ("BANNED-INJECTION", B, "注射剂（降糖药除外）禁止网络销售（OD-01a）",
             "injections other than glucose-lowering drugs are banned online (OD-01a)")),
    *_rules(Family.DDI, False,
            ("DDI-CONTRAINDICATED", B, "禁忌联用", "contraindicated combination"),
            ("DDI-MAJOR", W, "严重相互作用", "major interaction"),
            ("DDI-MODERATE", I, "中度相互作用", "moderate interaction"),
            ("DDI-MINOR", I, "轻度相互作用", "minor interaction"),
            ("DDI-UNKNOWN-SEVERITY", I, "存在相互作用但严重程度未知", "interaction of unknown severity"),
            ("DDI-NOT-CHECKED", I, "药品无相互作用数据，未审核", "no interaction data: not checked")),
    *_rules(Family.DUPLICATE, False,
            ("DUPLICATE-SAME-DRUG", W, "同一药品重复开具", "same drug prescribed twice"),
            ("DUPLICATE-ATC-CLASS", W, "同一ATC药理亚类重复用药", "two drugs of one ATC level-4 class"),
            ("DUPLICATE-NAMED-CLASS", W, "同类药物重复用药", "two drugs of one therapeutic class")),
    *_rules(Family.DOSE, False,
            ("DOSE-SINGLE-MAX", W, "单次剂量超过最大量", "single dose above the maximum"),
            ("DOSE-DAILY-MAX", W, "日剂量超过最大量", "daily dose above the maximum"),
            ("DOSE-GROSS-OVERDOSE", B, "剂量达最大量2倍以上", "dose at least twice the maximum"),
            ("DOSE-ROUTE-MISMATCH", W, "给药途径或剂型不适宜", "route or dosage form unsuitable"),
            ("DOSE-WEIGHT-MISSING", W, "儿童或按体重计量的药品未写体重，剂量无法审核（RX-04）",
             "a child or a weight-based limit but no weight: dose cannot be checked (RX-04)"),
            ("DOSE-NOT-CHECKED", I, "无适用的剂量上限数据，未审核", "no applicable dose limit: not checked")),
    *_rules(Family.ALLERGY, False,
            ("ALLERGY-DRUG", B, "患者对该药过敏", "patient is allergic to this drug"),
            ("ALLERGY-CLASS", B, "患者对该类药物过敏", "patient is allergic to this drug class"),
            ("ALLERGY-CROSS", W, "可能存在交叉过敏", "possible cross-reactivity"),
            ("ALLERGY-NOT-CHECKED", I, "过敏原无法识别，未审核", "allergen not recognised: not checked")),
    *_rules(Family.PREGNANCY, False,
            ("PREGNANCY-CONTRAINDICATED", B, "孕妇禁用", "contraindicated in pregnancy"),
            ("PREGNANCY-CAUTION", W, "孕妇慎用", "use with caution in pregnancy"),
            ("PREGNANCY-NOT-CHECKED", I, "无妊娠期用药数据，未审核", "no pregnancy data: not checked")),
    *_rules(Family.LACTATION, False,
            ("LACTATION-CONTRAINDICATED", B, "哺乳期禁用", "contraindicated during breastfeeding"),
            ("LACTATION-CAUTION", W, "哺乳期慎用", "use with caution during breastfeeding"),
            ("LACTATION-NOT-CHECKED", I, "无哺乳期用药数据，未审核", "no lactation data: not checked")),
    *_rules(Family.AGE, False,
            ("AGE-PAEDIATRIC", B, "低于最小适用年龄", "below the minimum age"),
            ("AGE-ELDERLY", W, "老年人应避免或慎用", "avoid or use with caution in older adults"),
            ("AGE-PAEDIATRIC-NO-DATA", W, "儿童无该药年龄限制及儿童剂量数据，须药师人工审核（RV-04）",
             "no age limit and no paediatric dose for this drug; a pharmacist must review it (RV-04)"),
            ("AGE-NOT-CHECKED", I, "无该年龄段用药数据，未审核", "no age data for this age group: not checked")),
    *_rules(Family.CONTRAINDICATION, False,
            ("CONTRAINDICATION-CONDITION", B, "患者疾病为用药禁忌或慎用", "patient condition contraindicates the drug"),
            ("CONTRAINDICATION-NOT-CHECKED", I, "无疾病禁忌数据，未审核",
             "no condition contraindication data: not checked")),
    *_rules(Family.INDICATION, False,
            ("INDICATION-MISMATCH", W, "药品与诊断不符（无适应证用药）", "drug does not match any diagnosis"),
            ("INDICATION-NOT-CHECKED", I, "无适应证数据，未审核", "no indication data: not checked")),
]
# Beyond BANNED and FORMAT: what the engine cannot check for a patient at risk must reach a pharmacist (RV-04):
# an unknown drug, a child's dose without a weight, a child given a drug with no paediatric knowledge.
_EXTRA_FLOORS = {"LEGAL-UNKNOWN-DRUG": Severity.WARN, "DOSE-WEIGHT-MISSING": Severity.WARN,
                 "AGE-PAEDIATRIC-NO-DATA": Severity.WARN}

RULES: dict[str, Rule] = {rule.id: replace(rule, floor=_EXTRA_FLOORS.get(rule.id, rule.floor)) for rule in _CATALOGUE}
