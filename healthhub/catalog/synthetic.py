"""Benchmark-sized catalogues: real product titles × real manufacturers × strengths × packages.

Used by `seed --scale large` (rows for the database) and bench/bench_search.py (index documents
without a database). Deterministic for a given random generator.
"""
import random
from collections.abc import Iterator
from dataclasses import dataclass

MANUFACTURERS = (
    "华润三九医药股份有限公司", "石药集团欧意药业有限公司", "扬子江药业集团有限公司", "齐鲁制药有限公司",
    "江苏恒瑞医药股份有限公司", "华北制药股份有限公司", "哈药集团制药总厂", "广州白云山制药股份有限公司",
    "云南白药集团股份有限公司", "修正药业集团股份有限公司", "太极集团重庆涪陵制药厂有限公司", "上海医药集团股份有限公司",
    "国药集团致君（深圳）制药有限公司", "浙江华海药业股份有限公司", "山东新华制药股份有限公司", "东北制药集团股份有限公司",
    "天津力生制药股份有限公司", "北京双鹤药业股份有限公司", "仁和药业股份有限公司", "江中药业股份有限公司",
    "丽珠集团丽珠制药厂", "浙江京新药业股份有限公司", "石家庄以岭药业股份有限公司", "天士力医药集团股份有限公司",
    "康恩贝集团有限公司", "海南海药股份有限公司", "珠海联邦制药股份有限公司", "四川科伦药业股份有限公司",
    "湖南千金药业股份有限公司", "葵花药业集团股份有限公司", "昆明贝克诺顿制药有限公司", "华东医药股份有限公司",
)
STRENGTHS = ("5mg", "10mg", "20mg", "25mg", "50mg", "0.1g", "0.125g", "0.2g", "0.25g", "0.3g", "0.5g", "1g")
COUNTS = (6, 10, 12, 14, 20, 24, 28, 30, 36, 48, 60, 100)
UNITS = ("片", "粒", "袋", "支")


@dataclass(frozen=True)
class Variant:
    base: int  # index of the base product it copies names and classification from
    manufacturer: str
    strength: str
    package: str
    price_factor: float  # multiplies the base list price
    popularity: int


def variants(n_bases: int, count: int, rng: random.Random) -> Iterator[Variant]:
    """`count` variants spread evenly over the bases (every base gets about the same share)."""
    for i in range(count):
        strength = STRENGTHS[rng.randrange(len(STRENGTHS))]
        package = f"{strength}*{COUNTS[rng.randrange(len(COUNTS))]}{UNITS[rng.randrange(len(UNITS))]}"
        yield Variant(base=i % n_bases, manufacturer=MANUFACTURERS[rng.randrange(len(MANUFACTURERS))],
                      strength=strength, package=package, price_factor=0.6 + rng.random() * 0.9,
                      popularity=int(rng.paretovariate(1.2) * 10))
