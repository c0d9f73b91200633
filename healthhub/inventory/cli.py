"""`healthhub inventory ...` commands."""
import typer


def register(app: typer.Typer) -> None:
    inventory_app = typer.Typer(help="Stock and channel routing", no_args_is_help=True)
    app.add_typer(inventory_app, name="inventory")

    @inventory_app.command("expire-reservations")
    def expire_reservations() -> None:
        """Release stock held by abandoned checkouts (reservations past their expiry). Safe to run often."""
        from healthhub.cli import open_database  # noqa: PLC0415  (keep `--help` fast)
        from healthhub.core.db import utcnow  # noqa: PLC0415
        from healthhub.inventory.reservations import expire_reservations as expire  # noqa: PLC0415

        database = open_database()
        with database.session_scope() as session:
            released = expire(session, now=utcnow())
        database.dispose()
        typer.echo(f"released {released} expired reservation(s)")
