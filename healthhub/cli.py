"""`healthhub` command line. Domains add commands through `healthhub/<domain>/cli.py: register(app)`."""
import getpass
from typing import Annotated

import typer

from healthhub.core.config import get_settings

app = typer.Typer(help="HealthHub: online pharmacy and internet hospital", no_args_is_help=True)
users_app = typer.Typer(help="Manage accounts", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log", no_args_is_help=True)
migrate_app = typer.Typer(help="Database schema", invoke_without_command=True)
jobs_app = typer.Typer(help="Periodic maintenance jobs (the web process runs them too unless HEALTHHUB_RUN_JOBS=false)",
                       no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(migrate_app, name="migrate")
app.add_typer(jobs_app, name="jobs")


def open_database():
    from healthhub.core.db import Database  # noqa: PLC0415  (keep `--help` fast)

    settings = get_settings()
    if settings.is_sqlite:
        from pathlib import Path  # noqa: PLC0415

        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return Database(settings.database_url)


@app.command()
def serve(host: Annotated[str | None, typer.Option()] = None, port: Annotated[int | None, typer.Option()] = None,
          workers: int = 1) -> None:
    """Serve the web app and API."""
    import uvicorn  # noqa: PLC0415

    settings = get_settings()
    uvicorn.run("healthhub.app:create_app", factory=True, host=host or settings.host, port=port or settings.port,
                workers=workers, log_config=None, access_log=False)


@migrate_app.callback()
def migrate(ctx: typer.Context) -> None:
    """Bring the database schema up to date (all domain branches)."""
    if ctx.invoked_subcommand is None:
        from healthhub.core.migrations import upgrade  # noqa: PLC0415

        open_database()
        upgrade(get_settings().database_url)
        typer.echo("database schema is up to date")


@migrate_app.command("revision")
def migrate_revision(domain: Annotated[str, typer.Option(help="branch: core or a domain folder name")],
                     message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """Autogenerate the next migration of one domain from its models."""
    from healthhub.core.migrations import new_revision  # noqa: PLC0415

    new_revision(get_settings().database_url, domain=domain, message=message)


@app.command()
def seed(scale: Annotated[str, typer.Option(help="small (demo) or large (benchmarks)")] = "small",
         seed_value: Annotated[int, typer.Option("--seed", help="random seed")] = 20261123) -> None:
    """Load deterministic demo data (idempotent: skips what is already there)."""
    from healthhub.seed.runner import run_seeders  # noqa: PLC0415

    if scale not in ("small", "large"):
        raise typer.BadParameter("scale must be small or large")
    database = open_database()
    logins = run_seeders(database, scale=scale, seed=seed_value)
    database.dispose()
    if logins:
        typer.echo("\nDemo logins (username / password):")
        width = max(len(username) for _, username, _ in logins) + 2
        for role, username, password in logins:
            typer.echo(f"  {role:<17} {username:<{width}} {password}")


@users_app.command("create")
def users_create(username: str, role: str, display_name: Annotated[str | None, typer.Option()] = None,
                 mobile: Annotated[str | None, typer.Option()] = None,
                 password: Annotated[str | None, typer.Option(help="prompted when omitted")] = None) -> None:
    """Create an account (password prompted when not given)."""
    from pydantic import ValidationError  # noqa: PLC0415

    from healthhub.core.errors import AppError  # noqa: PLC0415
    from healthhub.identity.schemas import UserCreate  # noqa: PLC0415
    from healthhub.identity.service import create_user  # noqa: PLC0415

    password = password or getpass.getpass("password: ")
    try:
        data = UserCreate(username=username, display_name=display_name or username, role=role, password=password,
                          mobile=mobile)
        database = open_database()
        with database.session_scope() as session:
            user = create_user(session, data=data)
            typer.echo(f"created user {user.username} (id {user.id}, role {user.role})")
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"error: {'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from exc
    except AppError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from exc


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit 1 and name the entries when anything was edited or deleted."""
    from healthhub.core.audit import count_entries, verify_chain  # noqa: PLC0415

    database = open_database()
    problems = []
    with database.session_scope() as session:
        with typer.progressbar(length=max(1, count_entries(session)), label="verifying audit chain") as bar:
            last = 0
            for seq, problem in verify_chain(session):
                bar.update(max(0, seq - last))
                last = max(last, seq)
                if problem:
                    problems.append(problem)
    if problems:
        for problem in problems:
            typer.echo(f"TAMPERED at entry {problem.seq}: {problem.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit chain intact ({last} entries)")


@jobs_app.command("list")
def jobs_list() -> None:
    """Every periodic job with its interval."""
    from healthhub.app import collect_jobs  # noqa: PLC0415

    for job in collect_jobs():
        typer.echo(f"{job.name:<40} every {job.every}  {job.description}")


@jobs_app.command("run")
def jobs_run(names: Annotated[list[str] | None, typer.Argument(help="job names (default: all)")] = None,
             loop: Annotated[bool, typer.Option(help="keep running each job at its interval")] = False) -> None:
    """Run jobs once (exit 1 if one failed), or as a worker process with --loop."""
    from healthhub.app import collect_jobs  # noqa: PLC0415
    from healthhub.core.jobs import JobScheduler, run_job  # noqa: PLC0415

    jobs = collect_jobs()
    unknown = set(names or ()) - {job.name for job in jobs}
    if unknown:
        typer.echo(f"error: unknown job(s) {', '.join(sorted(unknown))}; see `healthhub jobs list`", err=True)
        raise typer.Exit(2)
    selected = [job for job in jobs if not names or job.name in names]
    database = open_database()
    if loop:
        scheduler = JobScheduler(database, selected)
        typer.echo(f"running {len(selected)} job(s); Ctrl+C to stop")
        try:
            scheduler.start()
            scheduler.wait()
        finally:
            scheduler.stop()
        return
    results = [run_job(database, job) for job in selected]
    database.dispose()
    for result in results:
        typer.echo(f"{result.name:<40} {result.outcome:<8} {result.handled} item(s)"
                   + (f"  {result.error}" if result.error else ""))
    if any(result.outcome == "failed" for result in results):
        raise typer.Exit(1)


def _register_domain_commands() -> None:
    import importlib  # noqa: PLC0415

    from healthhub.app import DOMAINS  # noqa: PLC0415

    from healthhub.app import domain_modules  # noqa: PLC0415

    list(domain_modules("handlers"))
    for domain in DOMAINS:
        try:
            module = importlib.import_module(f"healthhub.{domain}.cli")
        except ModuleNotFoundError as exc:
            if exc.name in (f"healthhub.{domain}", f"healthhub.{domain}.cli"):
                continue
            raise
        module.register(app)


_register_domain_commands()

if __name__ == "__main__":
    app()
