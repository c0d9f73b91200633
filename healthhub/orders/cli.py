"""`healthhub orders ...` commands (periodic work runs as `healthhub jobs`)."""
import typer


def register(app: typer.Typer) -> None:
    orders_app = typer.Typer(help="Orders and payments", no_args_is_help=True)
    app.add_typer(orders_app, name="orders")

    @orders_app.command("redeliver-callbacks")
    def redeliver_callbacks() -> None:
        """Re-send sandbox payment callbacks that never reached our callback endpoint."""
        import httpx  # noqa: PLC0415
        from sqlalchemy import select  # noqa: PLC0415

        from healthhub.orders.models import PaymentEvent, SandboxCallback  # noqa: PLC0415
        from healthhub.orders.payments.dispatch import post_signed  # noqa: PLC0415

        from healthhub.cli import open_database  # noqa: PLC0415  (keep `--help` fast)

        database = open_database()
        with database.session_scope() as session:
            received = select(PaymentEvent.event_id).where(PaymentEvent.provider == "sandbox")
            pending = list(session.execute(select(SandboxCallback).where(SandboxCallback.event_id.not_in(received))
                                           .order_by(SandboxCallback.id)).scalars())
        delivered = 0
        with httpx.Client() as client:
            for callback in pending:
                try:
                    if post_signed(callback.target_url, callback.body, client=client) < 300:
                        delivered += 1
                except httpx.HTTPError as exc:
                    typer.echo(f"{callback.event_id}: {exc}", err=True)
        typer.echo(f"delivered {delivered} of {len(pending)} pending callback(s)")
