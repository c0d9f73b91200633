"""The drug facts every domain shares (pharmacy catalogue, e-prescriptions, prescription review).

This is the contract other domains code against; the knowledge base fills it from curated
tables shipped here and, when present, the data sets under HEALTHHUB_DATA_DIR.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class SpecialClass(StrEnum):
    """特殊管理药品 (OD-01, IDT-09): never sold online, never prescribed online."""

    NARCOTIC = "narcotic"
    PSYCHOTROPIC_1 = "psychotropic_1"
    PSYCHOTROPIC_2 = "psychotropic_2"
    TOXIC = "toxic"
    RADIOACTIVE = "radioactive"
    PRECURSOR = "precursor"
    VACCINE = "vaccine"
    BLOOD_PRODUCT = "blood_product"


# Strictest first: a compound preparation takes the first class any of its ingredients holds.
SPECIAL_CLASS_ORDER = tuple(SpecialClass)
SPECIAL_CLASS_NAMES: dict[SpecialClass, tuple[str, str]] = {
    SpecialClass.NARCOTIC: ("麻醉药品", "narcotic"),
    SpecialClass.PSYCHOTROPIC_1: ("第一类精神药品", "class I psychotropic"),
    SpecialClass.PSYCHOTROPIC_2: ("第二类精神药品", "class II psychotropic"),
    SpecialClass.TOXIC: ("医疗用毒性药品", "toxic drug"),
    SpecialClass.RADIOACTIVE: ("放射性药品", "radioactive drug"),
    SpecialClass.PRECURSOR: ("药品类易制毒化学品", "precursor chemical"),
    SpecialClass.VACCINE: ("疫苗", "vaccine"),
    SpecialClass.BLOOD_PRODUCT: ("血液制品", "blood product"),
}
# OD-01a: injections are banned from online sale except glucose-lowering drugs (ATC A10: insulins, GLP-1 agonists).
GLUCOSE_LOWERING_ATC = "A10"


def strictest_class(classes: Iterable[SpecialClass | None]) -> SpecialClass | None:
    """The strictest of the given classes (None entries ignored); None when there is none."""
    present = {c for c in classes if c is not None}
    return next((c for c in SPECIAL_CLASS_ORDER if c in present), None)


def is_glucose_lowering(atc_codes: Iterable[str | None]) -> bool:
    return any(code.startswith(GLUCOSE_LOWERING_ATC) for code in atc_codes if code)


class RxClass(StrEnum):
    RX = "rx"
    OTC_A = "otc_a"  # 甲类非处方药
    OTC_B = "otc_b"  # 乙类非处方药


@dataclass(frozen=True)
class DrugFacts:
    key: str  # stable identifier inside one KB version (e.g. "amoxicillin")
    name_zh: str  # approved Chinese generic name (通用名)
    name_en: str
    atc_codes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    rx_class: RxClass | None = None  # None: unknown, treat as Rx
    special_class: SpecialClass | None = None
    online_sale_banned: bool = False  # OD-01 / OD-01a list
    ban_reason: str | None = None
    cold_chain: bool = False  # 2–8 °C storage and transport
    insurance_category: str | None = None  # "A" (甲类), "B" (乙类) or None
    antimicrobial: bool = False
    sources: tuple[str, ...] = field(default=())
    trade_names: tuple[str, ...] = ()  # 商品名: accepted as input, but RX-05 asks for the generic name
    insurance_codes: tuple[str, ...] = ()  # NHSA national drug codes (e.g. XJ01CAA040A001) when known
    ingredients: tuple[str, ...] = ()  # a compound preparation's ingredient keys (empty: a single substance)

    @property
    def display_name(self) -> str:
        """The name people read: Chinese generic name where known, else the English one."""
        return self.name_zh or self.name_en

    @property
    def glucose_lowering(self) -> bool:
        """The OD-01a exception: a glucose-lowering injection may be sold online (with a prescription)."""
        return is_glucose_lowering(self.atc_codes)

    @property
    def special_class_name(self) -> str | None:
        return SPECIAL_CLASS_NAMES[self.special_class][0] if self.special_class else None

    @property
    def sellable_online(self) -> bool:
        return self.special_class is None and not self.online_sale_banned

    @property
    def prescribable_online(self) -> bool:
        return self.special_class is None
