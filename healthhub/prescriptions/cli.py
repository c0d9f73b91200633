"""`healthhub prescriptions expire`: marks approved prescriptions past their validity EXPIRED (RX-01)."""
import typer


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="E-prescriptions", no_args_is_help=True)
    app.add_typer(group, name="prescriptions")

    @group.command("expire")
    def expire() -> None:
        """Run periodically (e.g. every 10 minutes from cron or a scheduler)."""
        from healthhub.cli import open_database  # noqa: PLC0415  (keep `--help` fast)
        from healthhub.core.db import utcnow  # noqa: PLC0415
        from healthhub.prescriptions.service import expire_due  # noqa: PLC0415

        database = open_database()
        with database.session_scope() as session:
            count = expire_due(session, now=utcnow())
        database.dispose()
        typer.echo(f"{count} prescription(s) expired")
