"""Shared fixtures. Servers are real processes (tests/servers.py), started once per session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from pipeline.config import Settings
from pipeline.storage import ObjectStore, open_store
from tests.servers import SeaweedFS, ServerError


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """One SeaweedFS S3 server for the whole session (≈1 s to start). Tests use their own buckets."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    try:
        server.start()
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=["local", "minio"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """An empty store of each kind, built by ``open_store`` from settings as the pipeline does."""
    if request.param == "local":
        return open_store(Settings(store="local", data_dir=tmp_path))
    server: SeaweedFS = request.getfixturevalue("seaweedfs")
    settings = Settings(
        store="minio",
        minio_endpoint=server.endpoint,
        minio_access_key=server.access_key,
        minio_secret_key=SecretStr(server.secret_key),
        minio_bucket=f"test-{uuid.uuid4().hex[:20]}",
    )
    return open_store(settings)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server (a real, temporary API database) for the whole session: starting it costs seconds."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
