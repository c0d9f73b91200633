"""`healthhub payments ...` commands."""
import httpx
import typer
from sqlalchemy import select

from healthhub.core.db import open_database
from healthhub.payments.dispatch import post_signed
from healthhub.payments.models import PaymentEvent, SandboxCallback


def register(app: typer.Typer) -> None:
    payments_app = typer.Typer(help="Payments (the sandbox provider's callback outbox)", no_args_is_help=True)
    app.add_typer(payments_app, name="payments")

    @payments_app.command("redeliver-callbacks")
    def redeliver_callbacks() -> None:
        """Re-send sandbox payment callbacks that never reached our callback endpoint."""
        database = open_database()
        with database.session_scope() as session:
            received = select(PaymentEvent.event_id).where(PaymentEvent.provider == "sandbox")
            pending = [(callback.event_id, callback.target_url, callback.body) for callback in session.execute(
                select(SandboxCallback).where(SandboxCallback.event_id.not_in(received))
                .order_by(SandboxCallback.id)).scalars()]
        database.dispose()
        delivered = 0
        with httpx.Client() as client:
            for event_id, target_url, body in pending:
                try:
                    if post_signed(target_url, body, client=client) < 300:
                        delivered += 1
                except httpx.HTTPError as exc:
                    typer.echo(f"{event_id}: {exc}", err=True)
        typer.echo(f"delivered {delivered} of {len(pending)} pending callback(s)")
