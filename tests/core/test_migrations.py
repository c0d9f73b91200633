from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from healthhub.core.db import Base


def test_models_and_migrations_agree(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations disagree; run `healthhub migrate revision`: {differences}"
