"""The drug facts every domain shares (pharmacy catalogue, e-prescriptions, prescription review).

This is the contract other domains code against; the knowledge base fills it from curated
tables shipped here and, when present, the data sets under HEALTHHUB_DATA_DIR.
"""
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

    @property
    def display_name(self) -> str:
        """The name people read: Chinese generic name where known, else the English one."""
        return self.name_zh or self.name_en

    @property
    def sellable_online(self) -> bool:
        return self.special_class is None and not self.online_sale_banned

    @property
    def prescribable_online(self) -> bool:
        return self.special_class is None
