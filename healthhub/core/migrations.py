"""Alembic wiring. Each domain owns a migration branch in healthhub/<domain>/migrations/,
labelled with the domain's name and depending on the `core` branch; `upgrade heads` applies all.
Core and identity tables live in healthhub/migrations/versions/ (branch `core`)."""
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from healthhub.core.db import Base
from healthhub.core.templating import PACKAGE_DIR

CORE_BRANCH = "core"
CORE_PACKAGES = ("healthhub.core", "healthhub.identity")


def domain_version_dirs() -> list[Path]:
    return [PACKAGE_DIR / "migrations" / "versions",
            *sorted(p for p in PACKAGE_DIR.glob("*/migrations") if p.is_dir() and p.name != "versions")]


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    config.set_main_option("version_locations", " ".join(str(p) for p in domain_version_dirs()))
    config.set_main_option("path_separator", "space")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "heads")


def table_owner(table_name: str) -> str:
    """The branch a table belongs to, from the module of the class that maps it."""
    for mapper in Base.registry.mappers:
        if mapper.local_table is not None and mapper.local_table.name == table_name:
            module = mapper.class_.__module__
            if module.startswith(CORE_PACKAGES):
                return CORE_BRANCH
            return module.split(".")[1]
    return CORE_BRANCH


def new_revision(database_url: str, *, domain: str, message: str) -> None:
    """Autogenerates the next revision of one domain's branch from its models only (the environment,
    healthhub/migrations/env.py, loads every model)."""
    if domain == CORE_BRANCH:
        version_path = PACKAGE_DIR / "migrations" / "versions"
    else:
        version_path = PACKAGE_DIR / domain / "migrations"
        version_path.mkdir(exist_ok=True)  # before the config lists the version folders
    config = alembic_config(database_url)
    config.attributes["only_branch"] = domain
    script = ScriptDirectory.from_config(config)
    branch_exists = any(domain in (rev.branch_labels or ()) for rev in script.walk_revisions())
    command.upgrade(config, "heads")
    if branch_exists:
        command.revision(config, message=message, autogenerate=True, head=f"{domain}@head",
                         version_path=str(version_path))
    else:
        command.revision(config, message=message, autogenerate=True, head="base", branch_label=domain,
                         depends_on=None if domain == CORE_BRANCH else CORE_BRANCH, version_path=str(version_path),
                         splice=True)
