"""LEGAL, FORMAT and BANNED: the law's checks (RV-03 合法性/规范性, RX-01..RX-09, OD-01, IDT-09)."""
from datetime import date

from healthhub.knowledge.model import SPECIAL_CLASS_NAMES, SpecialClass
from healthhub.review.engine.context import INJECTION_ROUTES, Collector, Item
from healthhub.review.schemas import ReviewRequest

MAX_ITEMS = 5  # RX-03
NORMAL_DAYS, EMERGENCY_DAYS, LONG_TERM_DAYS = 7, 3, 84  # RX-02, RX-09 (12 weeks)
MAX_VALIDITY_DAYS = 3  # RX-01
LONG_TERM_EXCLUDED = frozenset({SpecialClass.TOXIC, SpecialClass.RADIOACTIVE, SpecialClass.PRECURSOR,
                                SpecialClass.NARCOTIC, SpecialClass.PSYCHOTROPIC_1, SpecialClass.PSYCHOTROPIC_2})


def _parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def check_legal(request: ReviewRequest, items: list[Item], out: Collector, today: date) -> None:
    prescriber = request.prescriber
    if prescriber is None:
        out.add("LEGAL-NOT-CHECKED", [], "未提供处方医师资质、电子签名、患者实名及处方日期，合法性未审核",
                "no prescriber, signature, patient identity or dates given: legality not checked",
                {"missing": ["prescriber"]})
    else:
        _check_prescriber(prescriber, out, today)
    for item in items:
        if item.drug is None:
            out.add("LEGAL-UNKNOWN-DRUG", [item.written],
                    f"药品“{item.written}”无法识别（非通用名、英文名或ATC编码），未能审核，须药师人工审核",
                    f"drug {item.written!r} is not a known generic name, English name or ATC code; "
                    f"it was not checked and needs a pharmacist", {"item": item.index})


def _check_prescriber(prescriber, out: Collector, today: date) -> None:
    unchecked = []
    if not prescriber.qualified:
        out.add("LEGAL-PRESCRIBER-UNQUALIFIED", [], "处方医师无相应处方权", "the prescriber has no prescribing right",
                {"prescriber.qualified": False})
    if prescriber.signature_valid is False:
        out.add("LEGAL-SIGNATURE-INVALID", [], "医师电子签名验证失败", "the prescriber's e-signature failed verification",
                {"prescriber.signature_valid": False})
    elif prescriber.signature_valid is None:
        unchecked.append("signature_valid")
    if prescriber.patient_identified is False:
        out.add("LEGAL-PATIENT-UNIDENTIFIED", [], "患者未完成实名认证", "the patient's identity is not verified",
                {"prescriber.patient_identified": False})
    elif prescriber.patient_identified is None:
        unchecked.append("patient_identified")
    try:
        issued, valid_until = _parse_date(prescriber.issued_on), _parse_date(prescriber.valid_until)
    except ValueError:
        out.add("LEGAL-DATE-INVALID", [], "处方日期格式无效（应为YYYY-MM-DD）", "prescription dates must be YYYY-MM-DD",
                {"issued_on": prescriber.issued_on, "valid_until": prescriber.valid_until})
        return
    if issued is None:
        unchecked.append("issued_on")
    last_valid_day = valid_until or issued  # RX-01: valid on the issue day unless extended
    if last_valid_day is not None and last_valid_day < today:
        out.add("LEGAL-EXPIRED", [], f"处方有效期至{last_valid_day}，已过期", f"prescription expired on {last_valid_day}",
                {"valid_until": str(last_valid_day), "today": str(today)})
    if issued and valid_until and (valid_until - issued).days > MAX_VALIDITY_DAYS:
        out.add("LEGAL-VALIDITY-TOO-LONG", [], "处方有效期延长不得超过3天", "validity may be extended by 3 days at most",
                {"issued_on": str(issued), "valid_until": str(valid_until), "max_extension_days": MAX_VALIDITY_DAYS})
    if unchecked:
        out.add("LEGAL-NOT-CHECKED", [], f"未提供：{', '.join(unchecked)}，相应合法性要素未审核",
                f"not given: {', '.join(unchecked)}; those legality facts were not checked", {"missing": unchecked})


def check_format(request: ReviewRequest, items: list[Item], out: Collector) -> None:
    if len(items) > MAX_ITEMS:
        out.add("FORMAT-TOO-MANY-ITEMS", [i.label for i in items], f"处方含{len(items)}种药品，超过5种",
                f"{len(items)} drugs on one prescription; at most 5", {"items": len(items), "max_items": MAX_ITEMS})
    if not request.diagnoses:
        out.add("FORMAT-NO-DIAGNOSIS", [], "处方未写临床诊断", "no diagnosis stated", {"diagnoses": []})
    reason = request.reason_for_extended_days or (request.prescriber.long_term_reason if request.prescriber else None)
    for item in items:
        _check_item_format(request, item, out, bool(reason))


def _check_item_format(request: ReviewRequest, item: Item, out: Collector, has_reason: bool) -> None:
    source, label = item.source, item.label
    if item.by_trade_name:
        out.add("FORMAT-GENERIC-NAME", [label], f"“{item.written}”为商品名，应使用通用名“{label}”",
                f"{item.written!r} is a trade name; write the generic name {item.drug.name_en!r}",
                {"written": item.written, "generic": item.drug.name_zh or item.drug.name_en})
    missing = [name for name, value in (("dose_mg", source.dose_mg), ("times_per_day", source.times_per_day),
                                        ("route", source.route), ("days", source.days)) if value is None]
    if missing:
        out.add("FORMAT-MISSING-FIELD", [label], f"{label}缺少：{', '.join(missing)}",
                f"{label}: missing {', '.join(missing)}", {"missing": missing})
    if item.route_unknown:
        out.add("FORMAT-ROUTE-UNKNOWN", [label], f"{label}的给药途径“{source.route}”无法识别",
                f"{label}: route {source.route!r} not recognised", {"route": source.route})
    days = source.days
    if days is not None:
        if request.emergency and days > EMERGENCY_DAYS:
            out.add("FORMAT-EMERGENCY-DAYS", [label], f"急诊处方{label}开具{days}天，超过3天",
                    f"emergency prescription of {label} for {days} days; at most 3",
                    {"days": days, "max_days": EMERGENCY_DAYS})
        elif request.long_term and days > LONG_TERM_DAYS:
            out.add("FORMAT-LONG-TERM-EXCEEDED", [label], f"长期处方{label}开具{days}天，超过12周",
                    f"long-term prescription of {label} for {days} days; at most 12 weeks",
                    {"days": days, "max_days": LONG_TERM_DAYS})
        elif not request.long_term and not request.emergency and days > NORMAL_DAYS and not has_reason:
            out.add("FORMAT-DAYS-EXCEEDED", [label], f"{label}开具{days}天，超过7天且未注明理由",
                    f"{label} for {days} days (over 7) without a stated reason",
                    {"days": days, "max_days": NORMAL_DAYS})
    drug = item.drug
    if request.long_term and drug is not None:
        tb_drug = any(code.startswith("J04") for code in drug.atc_codes)
        if drug.special_class in LONG_TERM_EXCLUDED or (drug.antimicrobial and not tb_drug):
            out.add("FORMAT-LONG-TERM-EXCLUDED", [label], f"{label}不得开具长期处方（毒麻精放、易制毒及抗菌药物）",
                    f"{label} cannot be on a long-term prescription (controlled or antimicrobial drug)",
                    {"special_class": drug.special_class, "antimicrobial": drug.antimicrobial})
        elif drug.cold_chain:
            out.add("FORMAT-LONG-TERM-STORAGE", [label], f"{label}需冷链储存，长期处方须评估储存条件",
                    f"{label} needs cold-chain storage; assess storage before a long-term supply", {"cold_chain": True})


def check_banned(items: list[Item], out: Collector) -> None:
    for item in items:
        drug = item.drug
        if drug is None:
            continue
        label = item.label
        if drug.special_class is not None:
            # One classification with the catalogue and prescribing: a compound inherits its ingredients' class.
            zh, en = SPECIAL_CLASS_NAMES[drug.special_class]
            evidence = {"special_class": drug.special_class.value}
            if drug.ingredients:
                evidence |= {"ingredients": list(drug.ingredients), "reason": drug.ban_reason}
            out.add("BANNED-SPECIAL", [label], f"{label}属{zh}，不得在互联网开具或销售",
                    f"{label} is a {en}: it may not be prescribed or sold online", evidence)
        if drug.online_sale_banned:
            out.add("BANNED-ONLINE-SALE", [label], f"{label}在药品网络销售禁止清单内：{drug.ban_reason}",
                    f"{label} is on the online-sale ban list", {"ban_reason": drug.ban_reason})
        injected = item.route in INJECTION_ROUTES or (item.form is not None and item.form.form_zh == "注射剂")
        if injected and not drug.glucose_lowering:
            out.add("BANNED-INJECTION", [label], f"{label}注射剂不得网络销售（降糖药除外）",
                    f"{label} by injection cannot be sold online (glucose-lowering drugs excepted)",
                    {"route": item.route})
