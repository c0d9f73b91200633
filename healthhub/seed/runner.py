"""Seeding framework: every domain with `healthhub/<domain>/seed.py` contributes.

A seed module defines `ORDER` (int, lower first) and `seed(session, ctx) -> list[DemoLogin] | None`.
Seeders are deterministic for a given seed value and idempotent (they skip existing rows).
"""
import importlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from healthhub.core.config import get_settings
from healthhub.core.db import Database

DemoLogin = tuple[str, str, str]  # (role, username, password)


@dataclass
class SeedContext:
    scale: str
    seed: int
    data_dir: Path
    shared: dict[str, Any] = field(default_factory=dict)  # ids one seeder hands to the next

    def rng(self, purpose: str) -> random.Random:
        """An independent stream per purpose, so adding one seeder never shifts another's data."""
        return random.Random(f"{self.seed}:{purpose}")

    @property
    def large(self) -> bool:
        return self.scale == "large"

    def progress(self, items: Iterable, *, length: int, label: str) -> Iterator:
        with typer.progressbar(items, length=length, label=label, file=None) as bar:
            yield from bar


def seed_modules() -> list:
    from healthhub.app import DOMAINS  # noqa: PLC0415

    modules = []
    for domain in DOMAINS:
        try:
            modules.append(importlib.import_module(f"healthhub.{domain}.seed"))
        except ModuleNotFoundError as exc:
            if exc.name not in (f"healthhub.{domain}", f"healthhub.{domain}.seed"):
                raise
    return sorted(modules, key=lambda m: m.ORDER)


def run_seeders(database: Database, *, scale: str, seed: int) -> list[DemoLogin]:
    ctx = SeedContext(scale=scale, seed=seed, data_dir=get_settings().data_dir)
    logins: list[DemoLogin] = []
    for module in seed_modules():
        # One transaction per domain: a failing seeder leaves the earlier domains' data intact.
        with database.session_scope() as session:
            logins.extend(module.seed(session, ctx) or [])
    return logins
