"""The FastAPI application of ``sohoa serve``: settings and shared objects on ``app.state``, features as routers.

A feature adds itself with ``app.include_router(...)`` here; its handlers read what they need from
``request.app.state`` (``settings``, ``store``, ``trigger``), so tests build an app with their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from pipeline.config import Settings
from pipeline.storage import open_store
from pipeline.web import hooks


def create_app(settings: Settings | None = None, *, trigger: hooks.Trigger | None = None) -> FastAPI:
    """The app for ``settings``; bucket events start work through ``trigger`` (default: in this process)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        close = getattr(app.state.trigger, "close", None)
        if close is not None:
            close()

    app = FastAPI(title="sohoa", summary="số hóa giấy tờ hành chính", docs_url="/api/docs", redoc_url=None,
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.store = open_store(settings)
    app.state.trigger = trigger or hooks.InlineTrigger(settings)
    app.include_router(hooks.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "pipeline_version": settings.pipeline_version}

    return app
