"""Seeding framework: every domain with `healthhub/<domain>/seed.py` contributes.

A seed module defines `ORDER` (int, lower first) and `seed(session, ctx) -> list[DemoLogin] | None`.
Seeders are deterministic for a given seed value and idempotent (they skip existing rows).
"""
from healthhub.core.config import get_settings
from healthhub.core.db import Database
from healthhub.domains import domain_modules
from healthhub.seed.context import DemoLogin, SeedContext


def seed_modules() -> list:
    return sorted(domain_modules("seed"), key=lambda module: module.ORDER)


def run_seeders(database: Database, *, scale: str, seed: int) -> list[DemoLogin]:
    ctx = SeedContext(scale=scale, seed=seed, data_dir=get_settings().data_dir)
    logins: list[DemoLogin] = []
    for module in seed_modules():
        # One transaction per domain: a failing seeder leaves the earlier domains' data intact.
        with database.session_scope() as session:
            logins.extend(module.seed(session, ctx) or [])
    return logins
