"""The FastAPI application of ``sohoa serve``: settings and shared objects on ``app.state``, features as routers.

Shared objects: ``app.state.settings``, ``.store`` (the object store), ``.runtime`` (store + search index + OCR
engine, :func:`pipeline.runtime.get_runtime`), ``.trigger`` (starts digitizing) and ``.auth``
(:class:`pipeline.web.auth.Auth`). Handlers read what they need from ``request.app.state``, so tests build an app
with their own settings. Feature modules expose ``router`` and are included here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from pipeline.config import Settings
from pipeline.runtime import get_runtime
from pipeline.web import auth, hooks, pages_admin, pages_station, pages_wallet
from pipeline.web.templating import STATIC_DIR, MaskIdsFilter
from schemas.procedures import load_catalogue

FEATURES = (pages_admin, pages_wallet, pages_station)
FEATURE_MODULES = tuple(module.__name__ for module in FEATURES)
# A logger's filters see only the records logged on it (not its children's), so each one is named.
MASKED_LOGGERS = ("uvicorn.access", "uvicorn.error", "pipeline.web.auth", "pipeline.web.hooks", *FEATURE_MODULES)

# Scripts only from our own files (no inline script, no CDN); styles may be inline (highlight boxes are positioned).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob: https: http:; frame-src 'self' https: http:; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def create_app(settings: Settings | None = None, *, trigger: hooks.Trigger | None = None) -> FastAPI:
    """The app for ``settings``; bucket events start work through ``trigger`` (default: in this process)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for worker in (app.state.trigger, getattr(app.state, "batch_runner", None)):  # the runner starts lazily
            close = getattr(worker, "close", None)
            if close is not None:
                close()

    app = FastAPI(title="sohoa", summary="số hóa giấy tờ hành chính", docs_url="/api/docs", redoc_url=None,
                  lifespan=lifespan)
    app.state.settings = settings
    # Checked at start-up: a malformed catalogue stops the service (CatalogueError) instead of failing each check.
    app.state.catalogue = load_catalogue(settings.procedure_catalogue)
    app.state.runtime = get_runtime(settings)
    app.state.store = app.state.runtime.store
    app.state.trigger = trigger or hooks.InlineTrigger(settings)
    app.include_router(hooks.router)
    auth.install(app)
    for feature in FEATURES:
        app.include_router(feature.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _mask_ids_in_logs()

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.url.path != "/healthz" and not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")  # pages carry personal data
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "pipeline_version": settings.pipeline_version}

    return app


def _mask_ids_in_logs() -> None:
    for name in MASKED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskIdsFilter) for f in logger.filters):
            logger.addFilter(MaskIdsFilter())
