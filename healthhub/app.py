"""Application factory: assembles every domain's API routes and pages.

A domain joins by having `api.py` and/or `pages.py` with a module-level `router` (see `healthhub.domains`).
"""
import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from healthhub.core.config import Settings, get_settings
from healthhub.core.db import Database
from healthhub.core.errors import AppError, install_error_handlers, problem
from healthhub.core.headers import SecurityHeadersMiddleware
from healthhub.core.inputs import refuse_unstorable_input
from healthhub.core.jobs import JobScheduler
from healthhub.core.observability import RequestContextMiddleware, configure_logging, metrics_response
from healthhub.core.overload import AdmissionLimit
from healthhub.core.templating import PACKAGE_DIR, render
from healthhub.domains import collect_jobs, domain_modules, install_event_handlers

log = logging.getLogger("healthhub.app")


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/fhir/", "/metrics", "/healthz", "/readyz")):
        return False
    return "text/html" in request.headers.get("accept", "")


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    database = database or Database(settings.database_url, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        scheduler = JobScheduler(database, collect_jobs()) if settings.run_jobs else None
        if scheduler:
            scheduler.start()
        yield
        if scheduler:
            scheduler.stop()
        database.dispose()

    # /docs is served below from the installed Swagger UI (no CDN, no inline script); ReDoc would need a CDN.
    app = FastAPI(title="HealthHub", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Online pharmacy and internet hospital platform",
                  dependencies=[Depends(refuse_unstorable_input)])
    app.state.database = database
    app.state.settings = settings
    # As many requests at once as the pool holds connections; its overflow stays free for the jobs thread and
    # chat streams. Inside the request context, so a refused request still gets its request id and is counted.
    app.add_middleware(AdmissionLimit, limit=settings.db_pool_size, wait_seconds=settings.db_pool_timeout_seconds)
    app.add_middleware(RequestContextMiddleware)
    # Outermost of ours: every response, refusals of the admission limit included, carries the headers.
    app.add_middleware(SecurityHeadersMiddleware, trusted_proxies=settings.trusted_proxies)
    install_error_handlers(app)
    _install_page_error_rendering(app)
    # Before /static, which would otherwise answer these paths with 404.
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    app.add_route("/docs", _api_docs, include_in_schema=False)

    # async and free of I/O: it answers on the event loop even when every worker thread is busy.
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz():
        try:
            # A raw DBAPI round trip: proves the server answers without taking SQLite's write lock.
            raw = database.engine.raw_connection()
            try:
                raw.cursor().execute("SELECT 1")
            finally:
                raw.close()
        except Exception:  # noqa: BLE001  (any failure means "not ready")
            log.exception("readiness check failed")
            return problem(503, "数据库不可用", "database unreachable", "not-ready")
        return {"status": "ready", "database": database.engine.dialect.name}

    @app.get("/metrics", include_in_schema=False)
    def metrics():
        return metrics_response()

    install_event_handlers()
    for module in domain_modules("api"):
        app.include_router(module.router)
    for module in domain_modules("pages"):
        app.include_router(module.router)
    return app


async def _api_docs(request: Request):
    """Interactive API docs: Swagger UI's assets come from the swagger-ui-bundle package and static/docs.js
    starts it, so the page works offline under the ordinary Content-Security-Policy."""
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url})


# Routing errors a browser meets (a mistyped or stale address), said in words a visitor understands.
PAGE_ROUTING_ERRORS = {
    404: ("页面不存在", "您访问的页面不存在，请检查地址，或从导航重新进入"),
    405: ("无法执行此操作", "该页面不支持这种访问方式，请从页面上的按钮或链接进入"),
}


def _install_page_error_rendering(app: FastAPI) -> None:
    """Pages get an HTML error (or a redirect to login); APIs keep problem+json."""
    json_handler = app.exception_handlers[AppError]
    routing_handler = app.exception_handlers[StarletteHTTPException]

    async def routing_error(request: Request, exc: StarletteHTTPException):
        if not _wants_html(request) or exc.status_code not in PAGE_ROUTING_ERRORS:
            return await routing_handler(request, exc)
        title, detail = PAGE_ROUTING_ERRORS[exc.status_code]
        return render(request, "error.html", {"title": title, "detail": detail, "status": exc.status_code},
                      status_code=exc.status_code)

    async def handler(request: Request, exc: AppError):
        if not _wants_html(request):
            return await json_handler(request, exc)
        if exc.status == 401:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return render(request, "error.html", {"title": exc.title, "detail": exc.detail, "status": exc.status},
                      status_code=exc.status)

    app.exception_handlers[AppError] = handler
    app.exception_handlers[StarletteHTTPException] = routing_error
    for subclass in AppError.__subclasses__():
        app.exception_handlers.pop(subclass, None)
