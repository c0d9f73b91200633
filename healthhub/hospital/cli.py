"""`healthhub hospital ...` commands."""
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    hospital = typer.Typer(help="Internet hospital", no_args_is_help=True)
    app.add_typer(hospital, name="hospital")

    @hospital.command("reassign-stale")
    def reassign_stale_command(timeout_minutes: Annotated[int, typer.Option(min=1)] = 15) -> None:
        """Return accepted-but-unanswered consultations to their department queue (run from cron)."""
        from datetime import timedelta  # noqa: PLC0415

        from healthhub.cli import open_database  # noqa: PLC0415
        from healthhub.core.db import utcnow  # noqa: PLC0415
        from healthhub.hospital.service_consultations import reassign_stale  # noqa: PLC0415

        database = open_database()
        with database.session_scope() as session:
            moved = reassign_stale(session, utcnow(), timeout=timedelta(minutes=timeout_minutes))
        typer.echo(f"reassigned {len(moved)} consultation(s)" + (f": {moved}" if moved else ""))
