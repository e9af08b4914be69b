"""The web/API process: one FastAPI app (``create_app``) that routers join (bucket-event hooks; pages later)."""

from pipeline.web.app import create_app

__all__ = ["create_app"]
