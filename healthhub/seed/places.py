"""Chinese prefecture-level cities and districts with coordinates, from the `cpca` package's
adcodes table (MIT), read in place so nothing is copied into this repository."""
import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Place:
    adcode: str  # 6-digit administrative division code
    name: str
    lng: float
    lat: float
    city_code: str  # the prefecture-level city it belongs to


def _adcodes_csv() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package is required for city data (pip install cpca)")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache
def _rows() -> list[tuple[str, str, float, float]]:
    with _adcodes_csv().open(encoding="utf-8") as handle:
        return [(r["adcode"][:6], r["name"], float(r["longitude"]), float(r["latitude"]))
                for r in csv.DictReader(handle) if r["longitude"] and r["latitude"]]


@lru_cache
def cities() -> tuple[Place, ...]:
    """Prefecture-level cities (and the four municipalities), sorted by code."""
    found = {}
    for code, name, lng, lat in _rows():
        province_level_city = code[2:] == "0000" and code[:2] in ("11", "12", "31", "50")
        if (code[4:] == "00" and code[2:4] != "00") or province_level_city:
            found[code] = Place(code, name, lng, lat, code[:4] + "00")
    return tuple(sorted(found.values(), key=lambda p: p.adcode))


@lru_cache
def districts() -> tuple[Place, ...]:
    return tuple(sorted((Place(code, name, lng, lat, code[:4] + "00") for code, name, lng, lat in _rows()
                         if code[4:] != "00"), key=lambda p: p.adcode))


MAJOR_CITY_CODES = ("110000", "310000", "440100", "440300", "330100", "510100", "420100", "320100", "610100",
                    "500000", "120000", "430100")


def major_cities() -> list[Place]:
    """Large cities the demo concentrates on (Beijing, Shanghai, Guangzhou, Shenzhen, ...)."""
    by_code = {p.adcode: p for p in cities()}
    return [by_code[c] for c in MAJOR_CITY_CODES if c in by_code]


def districts_of(city: Place) -> list[Place]:
    prefix = city.adcode[:2] if city.adcode[2:] == "0000" else city.adcode[:4]
    return [d for d in districts() if d.adcode.startswith(prefix)]
