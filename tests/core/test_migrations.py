from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from healthhub.core.db import Base


def test_models_and_migrations_agree(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    summary = [(d[0], getattr(d[1], "name", None)) if isinstance(d, tuple) else ("modify", str(d)[:120])
               for d in differences]
    assert summary == [], f"models and migrations disagree; run `healthhub migrate revision`: {summary}"
