from alembic import context

from healthhub.core.db import Base, make_engine
from healthhub.core.migrations import table_owner
from healthhub.domains import load_all_models

load_all_models()
config = context.config
only_branch = config.attributes.get("only_branch")


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and only_branch is not None:
        return table_owner(name) == only_branch
    if type_ == "table" and reflected and compare_to is None and name == "alembic_version":
        return False
    return True


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes["database_url"], bounded=False)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table (copy, drop, rename): with foreign keys enforced, dropping a parent
        # that has child rows fails. SQLite only accepts this pragma outside a transaction; the check below
        # puts the guarantee back before the migration commits.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=Base.metadata, include_object=include_object,
                      render_as_batch=sqlite, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
            raise RuntimeError(f"migration left rows pointing at missing parents: {broken[:5]}")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()
