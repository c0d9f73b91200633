"""`healthhub catalog import [--dir DIR]`: load the curated table and the shared product files."""
from pathlib import Path
from typing import Annotated

import typer

from healthhub.catalog.importer import import_catalog
from healthhub.core.config import get_settings
from healthhub.core.db import open_database


def register(app: typer.Typer) -> None:
    catalog_app = typer.Typer(help="Pharmacy catalogue", no_args_is_help=True)
    app.add_typer(catalog_app, name="catalog")

    @catalog_app.command("import")
    def import_command(directory: Annotated[Path | None, typer.Option(
            "--dir", help="data folder holding products/*.json (default: HEALTHHUB_DATA_DIR)")] = None) -> None:
        """Import products in one transaction and print the validation report (exit 1 when rows were rejected)."""
        data_dir = directory or get_settings().data_dir
        database = open_database()
        with database.session_scope() as session:
            def progress(records):
                with typer.progressbar(records, label="importing products") as bar:
                    yield from bar

            report = import_catalog(session, data_dir, progress=progress)
        database.dispose()
        if not report.shared_dir_found:
            typer.echo(f"note: {data_dir / 'products'} not found; imported the curated table only")
        typer.echo(", ".join(f"{k}={v}" for k, v in report.counts().items()))
        for problem in report.problems:
            typer.echo(f"REJECTED {problem.file}[{problem.index}]: {problem.reason}", err=True)
        if report.problems:
            raise typer.Exit(1)
