"""The domains of the platform and how their parts are found.

`DOMAINS` fixes the order (route precedence, seed order ties, migration discovery) so nothing depends on the
file system. A domain joins by being listed here and having any of the conventional modules: `models`, `api`,
`pages`, `handlers` (`HANDLERS`), `jobs` (`JOBS`), `permissions` (`OPEN_ROUTES`), `seed`, `cli`. This module
sits above every domain: the app factory, the CLI, the migrations environment and the tests use it, and no
domain imports it.
"""
import importlib
from collections.abc import Iterator
from types import ModuleType

from healthhub.core import events
from healthhub.core.audit_checkpoints import CHECKPOINT_JOB
from healthhub.core.jobs import PeriodicJob

DOMAINS = ("identity", "patients", "knowledge", "catalog", "inventory", "payments", "hospital", "prescriptions",
           "family_doctor", "orders", "storefront", "review", "fhir")
CORE_MODEL_MODULES = ("healthhub.core.audit", "healthhub.core.audit_checkpoints", "healthhub.core.idempotency")


def domain_modules(kind: str) -> Iterator[ModuleType]:
    """Each domain's `healthhub.<domain>.<kind>` module, in `DOMAINS` order, skipping domains without one."""
    for domain in DOMAINS:
        try:
            yield importlib.import_module(f"healthhub.{domain}.{kind}")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"healthhub.{domain}", f"healthhub.{domain}.{kind}"):
                raise


def load_all_models() -> None:
    """Maps every table, so metadata (migrations, tests) sees the whole schema."""
    for name in CORE_MODEL_MODULES:
        importlib.import_module(name)
    list(domain_modules("models"))


def collect_jobs() -> list[PeriodicJob]:
    """The platform's audit checkpoint, then every domain's periodic jobs (`healthhub/<domain>/jobs.py: JOBS`)."""
    return [CHECKPOINT_JOB, *(job for module in domain_modules("jobs") for job in module.JOBS)]


def install_event_handlers() -> None:
    """Subscribes every domain's `handlers.HANDLERS` (and loads every `events` module, so the registry is whole).
    Called once by each entry point (app factory, CLI, tests); publishing before it is an error."""
    list(domain_modules("events"))
    events.install([handler for module in domain_modules("handlers") for handler in module.HANDLERS])
