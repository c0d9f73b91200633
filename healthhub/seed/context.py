"""What a domain's seeder is handed: scale, deterministic random streams and the ids earlier seeders shared.

Domains' `seed.py` modules build on this module (and on `people`, `places`); the runner that calls them all
sits above every domain in `runner.py`.
"""
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

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
