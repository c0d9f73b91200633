"""Prescription writing rules as pure functions over plain data (RX-01..RX-09, IDT-07/09/10).

Each check returns the problems it finds (an empty list when the rule is met), so the prescribe
page can show every problem at once and the service refuses to sign while any remain.
"""
from dataclasses import dataclass
from decimal import Decimal

from healthhub.knowledge.model import SpecialClass

MAX_ITEMS = 5  # RX-03
MAX_VALIDITY_DAYS = 3  # RX-01: issue day + at most 3 days
NORMAL_MAX_DAYS = 7  # RX-02
EMERGENCY_MAX_DAYS = 3  # RX-02
# RX-02 allows more with a stated reason; beyond four weeks it is a long-term prescription (RX-09 "normally ≤4 weeks").
EXTENDED_MAX_DAYS = 28
LONG_TERM_CONFIRM_DAYS = 28  # RX-09: above 4 weeks the patient confirms in writing
LONG_TERM_MAX_DAYS = 84  # RX-09: at most 12 weeks
MIN_REASON_CHARS = 4

# RX-04 forbids vague directions such as "遵医嘱": only these explicit frequencies exist.
FREQUENCIES: dict[str, tuple[str, float | None]] = {
    "qd": ("每日一次", 1), "bid": ("每日两次", 2), "tid": ("每日三次", 3), "qid": ("每日四次", 4),
    "q8h": ("每8小时一次", 3), "q12h": ("每12小时一次", 2), "qn": ("每晚睡前一次", 1),
    "qw": ("每周一次", 1 / 7), "prn": ("必要时（按说明书最大日剂量）", None),
}
ROUTES = ("口服", "舌下含服", "外用", "滴眼", "滴耳", "滴鼻", "吸入", "皮下注射", "直肠给药", "阴道给药", "含漱")
DOSE_UNITS = ("mg", "g", "μg", "ml", "IU", "片", "粒", "袋", "支", "滴", "喷", "贴")

# RX-09 exclusions besides antimicrobials and special storage.
LONG_TERM_EXCLUDED_CLASSES = frozenset({
    SpecialClass.TOXIC, SpecialClass.RADIOACTIVE, SpecialClass.PRECURSOR, SpecialClass.NARCOTIC,
    SpecialClass.PSYCHOTROPIC_1, SpecialClass.PSYCHOTROPIC_2,
})


@dataclass(frozen=True)
class RuleError:
    rule: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class DrugInfo:
    """What the rules need to know about a drug, copied from the knowledge base."""

    key: str
    name_zh: str
    special_class: str | None = None
    antimicrobial: bool = False
    cold_chain: bool = False


@dataclass(frozen=True)
class RxLine:
    name: str  # as the doctor typed or picked it
    drug: DrugInfo | None  # None: the knowledge base does not know this name
    dose: Decimal
    unit: str
    frequency: str
    route: str
    days: int
    quantity: int


@dataclass(frozen=True)
class RxDraft:
    lines: tuple[RxLine, ...]
    diagnoses: tuple[str, ...]
    emergency: bool = False
    long_term: bool = False
    extended_reason: str | None = None  # RX-02 / RX-09: why more than the normal supply
    patient_confirmed_long_term: bool = False  # RX-09: written confirmation above 4 weeks
    validity_days: int = 0  # RX-01: extra days after the issue day


@dataclass(frozen=True)
class PatientFacts:
    age_years: float
    under6_confirmed: bool  # IDT-10: guardian and a relevant specialist present, recorded by the hospital


@dataclass(frozen=True)
class PrescriberFacts:
    role: str
    is_system_actor: bool  # AI assistants and jobs act as the system, never as a doctor
    owns_consultation: bool
    consultation_active: bool


def _has_reason(text: str | None) -> bool:
    return bool(text) and len(text.strip()) >= MIN_REASON_CHARS


def rx01_validity(draft: RxDraft) -> list[RuleError]:
    if 0 <= draft.validity_days <= MAX_VALIDITY_DAYS:
        return []
    return [RuleError("RX-01", f"处方有效期最长为开具当日起 {MAX_VALIDITY_DAYS} 天 / a prescription is valid for the "
                               f"issue day plus at most {MAX_VALIDITY_DAYS} days", "validity_days")]


def rx02_supply_days(draft: RxDraft) -> list[RuleError]:
    if draft.long_term:
        return []  # long-term prescriptions follow RX-09
    limit = EMERGENCY_MAX_DAYS if draft.emergency else NORMAL_MAX_DAYS
    kind = "急诊" if draft.emergency else "普通"
    errors = []
    for index, line in enumerate(draft.lines):
        if line.days <= limit:
            continue
        if line.days > EXTENDED_MAX_DAYS:
            errors.append(RuleError("RX-02", f"{line.name}：用药 {line.days} 天超过 {EXTENDED_MAX_DAYS} 天，请开具长期处方 / "
                                             f"more than {EXTENDED_MAX_DAYS} days needs a long-term prescription",
                                    f"items[{index}].days"))
        elif not _has_reason(draft.extended_reason):
            errors.append(RuleError("RX-02", f"{line.name}：{kind}处方一般不超过 {limit} 天，超过须注明理由 / more than "
                                             f"{limit} days' supply needs a stated reason", f"items[{index}].days"))
    return errors


def rx03_item_count(draft: RxDraft) -> list[RuleError]:
    errors = []
    if not draft.lines:
        errors.append(RuleError("RX-03", "处方至少需要一种药品 / a prescription needs at least one drug", "items"))
    if len(draft.lines) > MAX_ITEMS:
        errors.append(RuleError("RX-03", f"每张处方不得超过 {MAX_ITEMS} 种药品 / at most {MAX_ITEMS} drugs per "
                                         f"prescription", "items"))
    keys = [line.drug.key for line in draft.lines if line.drug]
    if len(keys) != len(set(keys)):
        errors.append(RuleError("RX-03", "同一药品只能开一行 / each drug goes on one line only", "items"))
    return errors


def rx04_writing(draft: RxDraft) -> list[RuleError]:
    errors = []
    if not [d for d in draft.diagnoses if d.strip()]:
        errors.append(RuleError("RX-04", "处方必须写明临床诊断 / a diagnosis is required", "diagnoses"))
    for index, line in enumerate(draft.lines):
        where = f"items[{index}]"
        if line.frequency not in FREQUENCIES:
            errors.append(RuleError("RX-04", f"{line.name}：用药频次须明确（不得写“遵医嘱”）/ state an explicit "
                                             f"frequency", f"{where}.frequency"))
        if line.route not in ROUTES:
            errors.append(RuleError("RX-04", f"{line.name}：请选择给药途径 / choose a route", f"{where}.route"))
        if line.unit not in DOSE_UNITS:
            errors.append(RuleError("RX-04", f"{line.name}：剂量单位无效 / unknown dose unit", f"{where}.unit"))
        if line.dose <= 0:
            errors.append(RuleError("RX-04", f"{line.name}：单次剂量须大于0 / dose must be positive", f"{where}.dose"))
        if line.days < 1:
            errors.append(RuleError("RX-04", f"{line.name}：用药天数至少1天 / at least one day", f"{where}.days"))
        if line.quantity < 1:
            errors.append(RuleError("RX-04", f"{line.name}：数量至少1盒 / quantity of at least one package",
                                    f"{where}.quantity"))
    return errors


def rx05_generic_names(draft: RxDraft) -> list[RuleError]:
    return [RuleError("RX-05", f"“{line.name}”不是药品知识库中的通用名 / not an approved generic name in the drug "
                               f"knowledge base", f"items[{index}].name")
            for index, line in enumerate(draft.lines) if line.drug is None]


def rx09_long_term(draft: RxDraft) -> list[RuleError]:
    if not draft.long_term:
        return []
    errors = []
    if draft.emergency:
        errors.append(RuleError("RX-09", "急诊处方不能作为长期处方 / an emergency prescription cannot be long-term",
                                "long_term"))
    if not _has_reason(draft.extended_reason):
        errors.append(RuleError("RX-09", "长期处方须记录评估意见（病情稳定、方案明确）/ a long-term prescription needs the "
                                         "doctor's assessment", "extended_reason"))
    for index, line in enumerate(draft.lines):
        where = f"items[{index}]"
        if line.days > LONG_TERM_MAX_DAYS:
            errors.append(RuleError("RX-09", f"{line.name}：长期处方最长 12 周（{LONG_TERM_MAX_DAYS} 天）/ at most 12 weeks",
                                    f"{where}.days"))
        elif line.days > LONG_TERM_CONFIRM_DAYS and not draft.patient_confirmed_long_term:
            errors.append(RuleError("RX-09", f"{line.name}：超过4周须患者签字确认 / more than 4 weeks needs the "
                                             f"patient's signed confirmation", "patient_confirmed_long_term"))
        drug = line.drug
        if drug is None:
            continue
        if drug.special_class in LONG_TERM_EXCLUDED_CLASSES:
            errors.append(RuleError("RX-09", f"{line.name}：毒、麻、精、放、易制毒药品不得开具长期处方 / controlled drugs "
                                             f"are excluded from long-term prescriptions", where))
        if drug.antimicrobial:
            errors.append(RuleError("RX-09", f"{line.name}：抗菌药物不得开具长期处方 / antimicrobials are excluded from "
                                             f"long-term prescriptions", where))
        if drug.cold_chain:
            errors.append(RuleError("RX-09", f"{line.name}：需特殊贮存条件的药品不得开具长期处方 / drugs with special "
                                             f"storage needs are excluded", where))
    return errors


def idt09_special_management(draft: RxDraft) -> list[RuleError]:
    return [RuleError("IDT-09", f"{line.name}：特殊管理药品（麻醉、精神、毒性、放射性等）不得在线开具 / special-management "
                                f"drugs cannot be prescribed online", f"items[{index}].name")
            for index, line in enumerate(draft.lines) if line.drug and line.drug.special_class]


def idt10_under_six(patient: PatientFacts) -> list[RuleError]:
    if patient.age_years >= 6 or patient.under6_confirmed:
        return []
    return [RuleError("IDT-10", "6岁以下患儿须确认监护人和相关专科医师在场后方可开具处方 / a child under 6 needs the "
                                "guardian and a relevant specialist confirmed first", "patient")]


def idt07_prescriber(prescriber: PrescriberFacts) -> list[RuleError]:
    if prescriber.is_system_actor or prescriber.role != "doctor":
        return [RuleError("IDT-07", "处方只能由接诊医生本人开具，人工智能或系统不得生成处方 / only the treating doctor "
                                    "prescribes; AI or automatic generation is prohibited", "prescriber")]
    if not prescriber.owns_consultation:
        return [RuleError("IDT-07", "只有接诊该问诊的医生可以开具处方 / only the doctor of this consultation may "
                                    "prescribe", "prescriber")]
    if not prescriber.consultation_active:
        return [RuleError("IDT-07", "问诊未在进行中，不能开具处方 / the consultation is not in progress", "consultation")]
    return []


def check_draft(draft: RxDraft) -> list[RuleError]:
    """Every content rule; prescriber and patient rules are checked separately because they need context."""
    return [*rx03_item_count(draft), *rx05_generic_names(draft), *idt09_special_management(draft),
            *rx04_writing(draft), *rx02_supply_days(draft), *rx09_long_term(draft), *rx01_validity(draft)]
