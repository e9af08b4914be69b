"""The bucket-event receiver: both payload shapes, bearer token, bad input never stops it; a real SeaweedFS posting
to it gets papers digitized once; ``sohoa serve`` turns an event into one Prefect flow run per ``key@etag``."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from pydantic import SecretStr

from pipeline.audit import events
from pipeline.config import Settings
from pipeline.index.embedded import EmbeddedIndex
from pipeline.storage import StorageError, open_store
from pipeline.wallet import record_key, sha256_hex, upload_original
from pipeline.web import create_app
from samples.generator import generate_document
from tests.servers import SeaweedFS, free_ports

with warnings.catch_warnings():  # starlette's notice that its test client will move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "s3cret-" + uuid.uuid4().hex[:8]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class RecordingTrigger:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def submit(self, key: str, etag: str) -> str:
        self.calls.append((key, etag))
        return f"run-{len(self.calls)}"


def _seaweed_event(path: str, *, kind: str = "create", etag: str | None = "5eb63bbbe01eeed093cb22bb8f5acdc3",
                   directory: bool = False) -> dict:
    parent, _, name = path.rpartition("/")
    entry: dict = {"name": name, "attributes": {"file_size": 11}}
    if directory:
        entry["is_directory"] = True
    if etag:
        entry["extended"] = {"Seaweed-X-Amz-ETag": base64.b64encode(etag.encode()).decode()}
    message = {"new_entry": entry, "new_parent_path": parent} if kind != "delete" else {"old_entry": entry}
    return {"event_type": kind, "key": path, "message": message}


def _minio_event(key: str, etag: str = "abc123", name: str = "s3:ObjectCreated:Put", bucket: str = "sohoa") -> dict:
    from urllib.parse import quote_plus

    record = {"eventName": name, "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key), "eTag": etag}}}
    return {"EventName": name, "Key": f"{bucket}/{key}", "Records": [record]}


@pytest.fixture()
def receiver(tmp_path) -> tuple[TestClient, RecordingTrigger, object]:
    settings = Settings(data_dir=tmp_path, webhook_token=SecretStr(TOKEN))
    trigger = RecordingTrigger()
    app = create_app(settings, trigger=trigger)
    with TestClient(app) as client:
        yield client, trigger, app.state.store


def test_seaweedfs_event_for_an_original_starts_one_run_with_its_etag(receiver):
    client, trigger, store = receiver
    store.put("incoming/HN-01/b1/a b.pdf", b"hello world")
    response = client.post("/hooks/seaweedfs", json=_seaweed_event("/buckets/sohoa/incoming/HN-01/b1/a b.pdf"),
                           headers=AUTH)
    assert response.status_code == 202 and response.json()["started"] == ["run-1"]
    assert trigger.calls == [("incoming/HN-01/b1/a b.pdf", "5eb63bbbe01eeed093cb22bb8f5acdc3")]


def test_minio_event_key_is_url_decoded_and_etag_taken_from_the_event(receiver):
    client, trigger, store = receiver
    key = "incoming/HN-01/b1/Giấy khai sinh+1.pdf"
    store.put(key, b"x")
    response = client.post("/hooks/minio", json=_minio_event(key, etag='"d41d8cd9"'), headers=AUTH)
    assert response.status_code == 202
    assert trigger.calls == [(key, "d41d8cd9")]


def test_event_without_etag_uses_the_stores(receiver):
    client, trigger, store = receiver
    info = store.put("incoming/HN-01/b1/x.png", b"png bytes")
    client.post("/hooks/seaweedfs", json=_seaweed_event("/buckets/sohoa/incoming/HN-01/b1/x.png", etag=None),
                headers=AUTH)
    assert trigger.calls == [("incoming/HN-01/b1/x.png", info.etag)]


@pytest.mark.parametrize("event", [
    _seaweed_event("/buckets/.system/owners/admin/sohoa"),
    _seaweed_event("/buckets/sohoa/incoming/HN-01", directory=True),
    _seaweed_event("/buckets/sohoa/incoming/HN-01/b1/a.pdf", kind="delete"),
    _seaweed_event("/buckets/sohoa/records/ab/record.json"),  # the pipeline's own writes
    _seaweed_event("/buckets/sohoa/.uploads/123/0001.part"),
    _seaweed_event("/buckets/other-bucket/incoming/a.pdf"),
    _seaweed_event("/topics/x"),
], ids=["system", "directory", "delete", "own-write", "multipart-part", "other-bucket", "outside-buckets"])
def test_seaweedfs_events_that_are_not_new_originals_are_ignored(receiver, event):
    client, trigger, _ = receiver
    response = client.post("/hooks/seaweedfs", json=event, headers=AUTH)
    assert response.status_code == 202 and response.json()["started"] == [] and response.json()["ignored"]
    assert trigger.calls == []


def test_minio_removal_and_other_bucket_are_ignored(receiver):
    client, trigger, _ = receiver
    for event in (_minio_event("incoming/a.pdf", name="s3:ObjectRemoved:Delete"),
                  _minio_event("incoming/a.pdf", bucket="elsewhere")):
        assert client.post("/hooks/minio", json=event, headers=AUTH).status_code == 202
    assert trigger.calls == []


def test_event_for_a_missing_object_is_logged_and_ignored(receiver, caplog):
    client, trigger, _ = receiver
    response = client.post("/hooks/minio", json=_minio_event("incoming/HN-01/never-uploaded.pdf"), headers=AUTH)
    assert response.status_code == 202 and response.json()["ignored"] == ["missing: incoming/HN-01/never-uploaded.pdf"]
    assert trigger.calls == [] and "not in the store" in caplog.text


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}], ids=["none", "wrong", "no-scheme", "basic"])
def test_wrong_or_missing_bearer_token_is_refused(receiver, headers):
    client, trigger, store = receiver
    store.put("incoming/a.pdf", b"x")
    for path, body in (("/hooks/seaweedfs", _seaweed_event("/buckets/sohoa/incoming/a.pdf")),
                       ("/hooks/minio", _minio_event("incoming/a.pdf"))):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert trigger.calls == []


def test_without_a_configured_token_every_event_is_refused(tmp_path):
    app = create_app(Settings(data_dir=tmp_path), trigger=RecordingTrigger())
    with TestClient(app) as client:
        assert client.post("/hooks/minio", json=_minio_event("incoming/a.pdf"), headers=AUTH).status_code == 401


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"Records": "x"}', b'{"Records": [{"s3": {}}]}',
                                  b'"just a string"', b'{"event_type": "create", "key": 5}',
                                  b"\xff\xfe"])
def test_malformed_bodies_get_400_and_the_receiver_keeps_working(receiver, body):
    client, trigger, store = receiver
    for path in ("/hooks/minio", "/hooks/seaweedfs"):
        response = client.post(path, content=body, headers={**AUTH, "Content-Type": "application/json"})
        assert response.status_code == 400, (path, body)
    store.put("incoming/ok.pdf", b"x")
    assert client.post("/hooks/minio", json=_minio_event("incoming/ok.pdf"), headers=AUTH).status_code == 202
    assert trigger.calls == [("incoming/ok.pdf", "abc123")]


def test_store_down_answers_503_so_the_sender_retries(tmp_path):
    class DownStore:
        def stat(self, key):
            raise StorageError("connection refused")

    app = create_app(Settings(data_dir=tmp_path, webhook_token=SecretStr(TOKEN)), trigger=RecordingTrigger())
    app.state.store = DownStore()
    with TestClient(app) as client:
        assert client.post("/hooks/minio", json=_minio_event("incoming/a.pdf"), headers=AUTH).status_code == 503


# -- against a real SeaweedFS posting its filer webhook ---------------------------------------------------------


@pytest.fixture(scope="module")
def webhook_s3(tmp_path_factory) -> Iterator[tuple[SeaweedFS, int]]:
    """A SeaweedFS whose filer posts every change to http://127.0.0.1:<port>/hooks/seaweedfs."""
    port = free_ports(1)[0]
    toml = f"""[notification.webhook]
enabled = true
endpoint = "http://127.0.0.1:{port}/hooks/seaweedfs"
bearer_token = "{TOKEN}"
timeout_seconds = 5
max_retries = 1
backoff_seconds = 1
workers = 2
buffer_size = 1000
path_prefixes = ["/buckets"]
"""
    server = SeaweedFS(tmp_path_factory.mktemp("weed-hooks"), notification_toml=toml)
    server.start()
    yield server, port
    server.stop()


@contextlib.contextmanager
def _uvicorn(app, port: int) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait_for(lambda: server.started, 10, "uvicorn did not start")
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _wait_for(condition: Callable[[], object], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.1)


def test_real_seaweedfs_events_get_each_paper_digitized_once(webhook_s3, tmp_path):
    server, port = webhook_s3
    bucket = f"hooks-{uuid.uuid4().hex[:12]}"
    settings = Settings(**{k.removeprefix("SOHOA_").lower(): v for k, v in server.sohoa_env(bucket).items()},
                        data_dir=tmp_path, webhook_token=SecretStr(TOKEN), ocr_workers=1)
    app = create_app(settings)
    store = open_store(settings)
    paper = generate_document("khai_sinh", 41, fmt="png", dpi=100).data
    other = generate_document("khai_sinh", 42, fmt="png", dpi=100).data
    with _uvicorn(app, port):
        upload_original(store, paper, "a.png", "HN-01", "lan", "b1")
        upload_original(store, other, "b.png", "HN-01", "lan", "b1")
        upload_original(store, paper, "a-again.png", "HN-07", "minh", "b2")  # same paper, another station
        trigger = app.state.trigger
        _wait_for(lambda: len(trigger.started) >= 3, 20, f"events not received: {trigger.started}")
        trigger.wait(timeout=60)
        time.sleep(0.5)  # the pipeline's own writes post events too: they must start nothing
    assert sorted(s.split("@")[0] for s in trigger.started) == sorted(
        ["incoming/HN-01/b1/a.png", "incoming/HN-01/b1/b.png", "incoming/HN-07/b2/a-again.png"])
    assert sorted((e.action, e.station) for e in events(store)) == [
        ("digitized", "HN-01"), ("digitized", "HN-01"), ("duplicate", "HN-07")]
    assert EmbeddedIndex(settings.index_dir).count() == 2


def test_sohoa_serve_turns_a_bucket_event_into_one_flow_run(prefect_harness, webhook_s3, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.settings import PREFECT_API_URL

    server, port = webhook_s3
    bucket = f"serve-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, **server.sohoa_env(bucket), "SOHOA_DATA_DIR": str(tmp_path), "SOHOA_WEBHOOK_TOKEN": TOKEN,
           "SOHOA_OCR_WORKERS": "1", "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--port", str(port),
                                "--sweep-minutes", "600"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: process.poll() is not None or _get(f"http://127.0.0.1:{port}/healthz"), 60,
                  "sohoa serve did not answer")
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        store = open_store(Settings(**{k.removeprefix("SOHOA_").lower(): v
                                       for k, v in server.sohoa_env(bucket).items()}))
        paper = generate_document("khai_sinh", 51, fmt="png", dpi=100)
        key = upload_original(store, paper.data, "ks.png", "HN-01", "lan", "b1")
        etag = store.stat(key).etag
        _wait_for(lambda: store.exists(record_key(sha256_hex(paper.data))), 60,
                  "no record: " + (tmp_path / "serve.log").read_text()[-3000:])
        # The same event delivered again starts no second run.
        again = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/minio", method="POST",
                                       data=json.dumps(_minio_event(key, etag=etag, bucket=bucket)).encode(),
                                       headers={**AUTH, "Content-Type": "application/json"})
        with urllib.request.urlopen(again, timeout=30) as response:
            run_id = json.loads(response.read())["started"][0]
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(
                name=DeploymentFilterName(any_=["process-document"])))
            ours = [r for r in runs if r.parameters.get("key") == key]
            assert [str(r.id) for r in ours] == [run_id]
            assert ours[0].idempotency_key == f"{key}@{etag}"
            names = {d.name for d in client.read_deployments()}
        assert {"process-document", "sweep", "revalidate", "backfill", "reindex"} <= names
        assert [e.action for e in events(store)] == ["digitized"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _get(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def test_deployments_can_be_registered_in_a_work_pool_for_scale_out(prefect_harness):
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    from flows.deployments import deploy_to_pool

    pool = f"sohoa-{uuid.uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        ids = deploy_to_pool(pool, sweep_minutes=5)
        deployed = [client.read_deployment(i) for i in ids]
    assert sorted(d.name for d in deployed) == ["backfill", "process-document", "reindex", "revalidate", "sweep"]
    assert {d.work_pool_name for d in deployed} == {pool}
    assert {d.entrypoint for d in deployed} >= {"flows.process_document.process_document", "flows.sweep.sweep"}
