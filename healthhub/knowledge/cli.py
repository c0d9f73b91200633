"""`healthhub kb report`: what the knowledge base imported, and every row it refused with the reason."""
from typing import Annotated

import typer

from healthhub.knowledge.service import get_knowledge_base

kb_app = typer.Typer(help="Drug knowledge base", no_args_is_help=True)


@kb_app.command("report")
def report(limit: Annotated[int, typer.Option(help="rejected rows to list (0: all)")] = 50) -> None:
    """Print counts per table, rejected rows with reasons, and the KB version."""
    kb = get_knowledge_base()
    result = kb.report
    typer.echo(f"knowledge base version {kb.version}")
    typer.echo(f"shared data: {result.shared_data_dir or 'not found (curated tables only)'}")
    typer.echo("\nsize:")
    for name, value in kb.summary().items():
        typer.echo(f"  {name:<32} {value:>8}")
    typer.echo("\nrows accepted per table:")
    for table, count in result.counts.items():
        typer.echo(f"  {table:<44} {count:>8}")
    rejected = result.rejected_by_table()
    typer.echo(f"\nrows rejected: {len(result.rejected)}")
    for table, count in rejected.items():
        typer.echo(f"  {table:<44} {count:>8}")
    shown = result.rejected if limit == 0 else result.rejected[:limit]
    for rejection in shown:
        typer.echo(f"  {rejection.table}:{rejection.line}: {rejection.reason}")
    if len(shown) < len(result.rejected):
        typer.echo(f"  ... {len(result.rejected) - len(shown)} more (use --limit 0)")
    for note in result.notes:
        typer.echo(f"note: {note}")


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
