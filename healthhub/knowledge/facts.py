"""Clinical facts the review engine looks up, as small frozen dataclasses.

Each fact keeps the public reference it comes from (`source`) so a finding can cite it.
"""
import re
from dataclasses import dataclass

ATC_CODE = re.compile(r"^[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?$")
ICD10_CODE = re.compile(r"^[A-Z](\d\d(\.[0-9A-Z]{1,4})?)?$")

DDI_SEVERITIES = ("contraindicated", "major", "moderate", "minor", "unknown")
FINDING_SEVERITIES = ("block", "warn", "info")


@dataclass(frozen=True, slots=True)
class IcdRange:
    """An ICD-10 prefix ("J02", "N39.0") or a range of equal-length prefixes ("K25-K28")."""

    length: int
    low: str
    high: str

    @classmethod
    def parse(cls, token: str) -> "IcdRange":
        token = token.strip().upper()
        low, _, high = token.partition("-")
        high = high or low
        if len(low) != len(high) or not ICD10_CODE.match(low) or not ICD10_CODE.match(high) or low > high:
            raise ValueError(f"bad ICD-10 prefix or range {token!r}")
        return cls(len(low), low, high)

    def matches(self, code: str) -> bool:
        return self.low <= code[: self.length] <= self.high

    def __str__(self) -> str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"


def parse_icd_list(text: str) -> tuple[IcdRange, ...]:
    tokens = [t for t in text.split(";") if t.strip()]
    if not tokens:
        raise ValueError("no ICD-10 codes")
    return tuple(IcdRange.parse(t) for t in tokens)


@dataclass(frozen=True, slots=True)
class Interaction:
    severity: str  # one of DDI_SEVERITIES
    mechanism_zh: str
    mechanism_en: str
    source: str


@dataclass(frozen=True, slots=True)
class DoseLimit:
    """Maximum doses in mg for an age band [age_min, age_max) and, optionally, one route."""

    age_min: float
    age_max: float | None
    route: str | None
    max_single_mg: float | None
    max_daily_mg: float | None
    max_single_mg_per_kg: float | None
    max_daily_mg_per_kg: float | None
    source: str

    def applies(self, age: float, route: str | None) -> bool:
        if age < self.age_min or (self.age_max is not None and age >= self.age_max):
            return False
        return self.route is None or route is None or self.route == route

    @property
    def needs_weight(self) -> bool:
        """A single or daily maximum given only in mg/kg: without the patient's weight it is no limit at all."""
        return ((self.max_single_mg_per_kg is not None and self.max_single_mg is None)
                or (self.max_daily_mg_per_kg is not None and self.max_daily_mg is None))

    @property
    def band(self) -> str:
        """The age band and route as a person reads them: "0-12 y oral", "18+ y"."""
        ages = f"{self.age_min:g}-{self.age_max:g}" if self.age_max is not None else f"{self.age_min:g}+"
        return f"{ages} y {self.route}" if self.route else f"{ages} y"


@dataclass(frozen=True, slots=True)
class ConditionRule:
    icd: IcdRange
    severity: str
    reason_zh: str
    reason_en: str
    source: str


@dataclass(frozen=True, slots=True)
class Caution:
    """Pregnancy or lactation fact: contraindicated, caution, or compatible (checked, no finding)."""

    level: str
    reason_zh: str
    reason_en: str
    source: str


@dataclass(frozen=True, slots=True)
class AgeLimit:
    min_age: float | None  # flagged when age < min_age
    max_age: float | None  # flagged when age >= max_age
    severity: str
    reason_zh: str
    reason_en: str
    source: str


@dataclass(frozen=True, slots=True)
class AllergyRule:
    severity: str
    reason_zh: str
    reason_en: str
    source: str


@dataclass(frozen=True, slots=True)
class DrugGroup:
    key: str
    name_zh: str
    name_en: str
    members: frozenset[str]
    duplicate_check: bool
    source: str


@dataclass(frozen=True, slots=True)
class DosageForm:
    suffix: str
    form_zh: str
    routes: frozenset[str]
