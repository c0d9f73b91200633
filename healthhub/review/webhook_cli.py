"""`healthhub review-webhooks deliver`: the outbox worker, run from cron or a loop.

Registered by the review domain's cli.py (`webhook_cli.register(app)`).
"""
import time
from typing import Annotated

import typer

webhooks_app = typer.Typer(help="Review outcome webhooks for clinics", no_args_is_help=True)


@webhooks_app.command("deliver")
def deliver(loop: Annotated[bool, typer.Option(help="keep running, polling every --interval seconds")] = False,
            interval: Annotated[float, typer.Option(min=1.0)] = 10.0,
            batch: Annotated[int, typer.Option(min=1, max=1000)] = 100) -> None:
    """Send every due delivery once (retries follow the backoff schedule); prints a summary per round."""
    import httpx  # noqa: PLC0415  (keep `--help` fast)

    from healthhub.cli import open_database  # noqa: PLC0415
    from healthhub.review.webhooks import deliver_due_webhooks  # noqa: PLC0415

    database = open_database()
    with httpx.Client() as http:
        while True:
            with database.session_scope() as session:
                run = deliver_due_webhooks(session, http_client=http, limit=batch)
            typer.echo(f"attempted {run.attempted}: delivered {run.delivered}, retrying {run.retrying}, "
                       f"dead {run.dead}")
            if not loop:
                break
            time.sleep(interval)
    database.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="review-webhooks")
