"""The deployments ``sohoa serve`` runs, and the trigger that starts ``process-document`` runs from bucket events.

On one machine ``sohoa serve`` serves them all from its own process (Prefect ``serve``): each run executes in a
child process of it. To scale out, run a Prefect server, point ``PREFECT_API_URL`` at it, deploy the same flows to
a work pool (``prefect deploy``/``flow.deploy(work_pool_name=…)``) and start ``prefect worker start --pool …`` on
as many machines as needed; the receiver's ``run_deployment`` calls and the schedules stay the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

from prefect.deployments import run_deployment
from prefect.exceptions import TerminationSignal
from prefect.runner import Runner
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

from flows.backfill import backfill
from flows.process_document import process_document
from flows.reindex import reindex
from flows.revalidate import revalidate
from flows.sweep import sweep
from pipeline.config import Settings

log = logging.getLogger(__name__)

PROCESS_DEPLOYMENT = "process-document/process-document"
TIMEZONE = "Asia/Ho_Chi_Minh"


class DeploymentTrigger:
    """Start one ``process-document`` run per original; Prefect keeps one run per ``key@etag``."""

    def __init__(self, deployment: str = PROCESS_DEPLOYMENT) -> None:
        self.deployment = deployment

    def submit(self, key: str, etag: str) -> str:
        run = run_deployment(self.deployment, parameters={"key": key}, idempotency_key=f"{key}@{etag}",
                             timeout=0, as_subflow=False, _sync=True)
        return str(run.id)


def deployments(sweep_minutes: float = 10, revalidate_cron: str = "15 0 * * *") -> list:
    """process-document (for events), sweep every N minutes, revalidate daily, backfill and reindex on demand."""
    from prefect.deployments.runner import EntrypointType

    common = {"entrypoint_type": EntrypointType.MODULE_PATH}  # works from an installed package, any cwd
    return [
        process_document.to_deployment("process-document", **common),
        sweep.to_deployment("sweep", interval=timedelta(minutes=sweep_minutes), **common),
        revalidate.to_deployment("revalidate", schedule=Cron(revalidate_cron, timezone=TIMEZONE), **common),
        backfill.to_deployment("backfill", **common),
        reindex.to_deployment("reindex", **common),
    ]


def deploy_to_pool(pool: str, sweep_minutes: float = 10, revalidate_cron: str = "15 0 * * *") -> list:
    """Scale-out: register the same deployments in a work pool of the Prefect server at ``PREFECT_API_URL``.

    Workers (``prefect worker start --pool <pool>`` on every machine with sohoa installed) then run them; the
    entrypoints are module paths, so no image or code storage is needed. Returns the deployment ids.
    """
    from prefect import deploy

    return deploy(*deployments(sweep_minutes, revalidate_cron), work_pool_name=pool, build=False, push=False,
                  print_next_steps_message=False, ignore_warnings=True)


def serve_all(settings: Settings, host: str = "127.0.0.1", port: int = 8000, sweep_minutes: float = 10,
              revalidate_cron: str = "15 0 * * *", limit: int | None = None, prefect_port: int = 4200,
              serve_flows: bool = True) -> None:
    """Register the deployments, start the web/API process (receiver included) on a thread, then serve the runs.

    The deployments exist before the receiver answers, so its first event already finds ``process-document``.
    Without ``PREFECT_API_URL`` a local Prefect server is started on ``prefect_port`` (UI included) and stopped
    on exit: Prefect's ephemeral API does not run the scheduler, so the sweep and revalidate schedules need one.
    With ``serve_flows=False`` only the web/API process runs (scale-out: workers of a work pool run the flows,
    see :func:`deploy_to_pool`); ``PREFECT_API_URL`` must then name the Prefect server.
    """
    import uvicorn

    from pipeline.web.app import create_app

    for name in ("pipeline", "flows"):  # our own log lines (events received, runs started) beside Prefect's
        logging.getLogger(name).setLevel(logging.INFO)
    if not serve_flows:
        if not PREFECT_API_URL.value():
            raise SystemExit("--no-flows needs PREFECT_API_URL: the Prefect server whose workers run the flows")
        uvicorn.run(create_app(settings, trigger=DeploymentTrigger()), host=host, port=port, log_level="info")
        return
    with _prefect_api(prefect_port) as api_url, temporary_settings(updates={PREFECT_API_URL: api_url}):
        server = uvicorn.Server(uvicorn.Config(create_app(settings, trigger=DeploymentTrigger()), host=host,
                                               port=port, log_level="info"))
        # The web thread runs in a copy of this context, so its run_deployment calls reach the same Prefect API.
        web = threading.Thread(target=contextvars.copy_context().run, args=(server.run,), name="sohoa-web",
                               daemon=True)

        def start_web() -> None:
            web.start()
            while not server.started:  # a port already taken ends the thread: stop rather than serve half
                if not web.is_alive():
                    raise SystemExit(f"the web/API process could not start on {host}:{port} (see the error above)")
                time.sleep(0.05)
            log.info("web/API and bucket-event receiver on http://%s:%d", host, port)

        try:
            asyncio.run(_serve(deployments(sweep_minutes, revalidate_cron), limit, start_web))
        except (KeyboardInterrupt, TerminationSignal):
            log.info("shutting down")
        finally:
            server.should_exit = True
            if web.is_alive():
                web.join(timeout=10)


async def _serve(served: list, limit: int | None, start_web) -> None:
    runner = Runner(pause_on_shutdown=True, limit=limit)
    for deployment in served:
        await runner.aadd_deployment(deployment)
    log.info("serving deployments: %s", ", ".join(f"{d.flow_name}/{d.name}" for d in served))
    start_web()
    await runner.start()


@contextlib.contextmanager
def _prefect_api(port: int) -> Iterator[str]:
    """The Prefect API to use: ``PREFECT_API_URL`` if set, else a ``prefect server start`` child on ``port``."""
    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    url = f"http://127.0.0.1:{port}/api"
    log.info("PREFECT_API_URL is not set: starting a local Prefect server on 127.0.0.1:%d (UI there too)", port)
    process = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                "--port", str(port)], stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value() or 180)
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the local Prefect server did not start on port {port} (see above); "
                                 "free the port, pass --prefect-port, or set PREFECT_API_URL")
            time.sleep(0.25)
        os.environ["PREFECT_API_URL"] = url  # flow runs are child processes: they read it from the environment
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Register sohoa's deployments in a work pool (scale-out).")
    parser.add_argument("--pool", required=True, help="work pool name (create it: prefect work-pool create NAME "
                                                      "--type process)")
    parser.add_argument("--sweep-minutes", type=float, default=10)
    parser.add_argument("--revalidate-cron", default="15 0 * * *")
    cli = parser.parse_args()
    for deployment_id in deploy_to_pool(cli.pool, cli.sweep_minutes, cli.revalidate_cron):
        print(deployment_id)
