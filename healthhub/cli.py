"""`healthhub` command line. Domains add commands through `healthhub/<domain>/cli.py: register(app)`."""
import getpass
from pathlib import Path
from typing import Annotated

import typer

from healthhub.core.config import get_settings
from healthhub.core.db import open_database

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


WORKER_PING_SECONDS = 60


@app.command()
def serve(host: Annotated[str | None, typer.Option()] = None, port: Annotated[int | None, typer.Option()] = None,
          workers: Annotated[int, typer.Option(min=1, help="worker processes (each with its own database pool)")] = 1,
          ) -> None:
    """Serve the web app and API."""
    import uvicorn  # noqa: PLC0415

    settings = get_settings()
    # A worker answers the supervisor's ping only after its imports (seconds, more on a loaded machine);
    # uvicorn's 5 s default kills slow starters in an endless restart loop.
    uvicorn.run("healthhub.app:create_app", factory=True, host=host or settings.host, port=port or settings.port,
                workers=workers, log_config=None, access_log=False, timeout_worker_healthcheck=WORKER_PING_SECONDS,
                # The client address is decided in one place, core.observability (HEALTHHUB_TRUSTED_PROXIES);
                # uvicorn's own rewrite would believe X-Forwarded-For from any local peer.
                proxy_headers=False)


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
    if get_settings().env == "production":
        # Demo accounts share one published password: in production they would be open doors.
        typer.echo("生产环境不能载入演示数据 / refusing to seed demo accounts in production", err=True)
        raise typer.Exit(2)
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
def audit_verify(anchor: Annotated[Path | None, typer.Option(
        help="signed checkpoints kept outside the database (default: HEALTHHUB_AUDIT_ANCHOR_FILE)")] = None) -> None:
    """Check every audit partition's hash chain and the signed checkpoints; exit 1 and name the entries
    when anything was edited, deleted or rewritten."""
    from healthhub.core.audit import count_entries, verify_chain  # noqa: PLC0415
    from healthhub.core.audit_checkpoints import platform_keypair, verify_checkpoints  # noqa: PLC0415

    settings = get_settings()
    anchor = anchor or settings.audit_anchor_file
    database = open_database()
    problems = []
    with database.session_scope() as session:
        with typer.progressbar(length=max(1, count_entries(session)), label="verifying audit chain") as bar:
            checked = 0
            for checked_now, problem in verify_chain(session):
                bar.update(checked_now - checked)
                checked = checked_now
                if problem:
                    problems.append(problem)
        report = verify_checkpoints(session, public_hex=platform_keypair(settings)[1], anchor_file=anchor)
        problems.extend(report.problems)
    if problems:
        for problem in problems:
            typer.echo(f"TAMPERED at {problem.where}: {problem.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit chain intact ({checked} entries); {report.external} signed checkpoint(s) in {anchor} agree")
    if not report.external:
        typer.echo("warning: no external checkpoint, so a rewrite of a whole partition would go unnoticed; "
                   "run `healthhub audit checkpoint`", err=True)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the audit partition heads now and append them to the anchor file (the jobs do it every 5 minutes)."""
    from healthhub.core.audit_checkpoints import platform_keypair, write_checkpoint  # noqa: PLC0415

    settings = get_settings()
    database = open_database()
    with database.session_scope() as session:
        checkpoint = write_checkpoint(session, keypair=platform_keypair(settings),
                                      anchor_file=settings.audit_anchor_file)
    if checkpoint is None:
        typer.echo("nothing audited since the last checkpoint")
    else:
        typer.echo(f"checkpoint {checkpoint.digest} appended to {settings.audit_anchor_file}")


@jobs_app.command("list")
def jobs_list() -> None:
    """Every periodic job with its interval."""
    from healthhub.domains import collect_jobs  # noqa: PLC0415  (keep `--help` fast)

    for job in collect_jobs():
        typer.echo(f"{job.name:<40} every {job.every}  {job.description}")


@jobs_app.command("run")
def jobs_run(names: Annotated[list[str] | None, typer.Argument(help="job names (default: all)")] = None,
             loop: Annotated[bool, typer.Option(help="keep running each job at its interval")] = False) -> None:
    """Run jobs once (exit 1 if one failed), or as a worker process with --loop."""
    from healthhub.domains import collect_jobs  # noqa: PLC0415  (keep `--help` fast)
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
    from healthhub.domains import domain_modules, install_event_handlers  # noqa: PLC0415  (keep `--help` fast)

    install_event_handlers()
    for module in domain_modules("cli"):
        module.register(app)


_register_domain_commands()

if __name__ == "__main__":
    app()
