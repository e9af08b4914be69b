"""Browser-test harness: the real app served by uvicorn in its own process, driven through Debian's ``chromium``.

The app runs exactly as ``create_app()`` builds it from ``SOHOA_*`` settings, over a throwaway data directory
(local store + embedded index), on a socket this process binds on 127.0.0.1 (port 0, so no race for a free port)
and hands to the server. Users are written to the app's user store
(``pipeline.web.auth.UserStore``), as ``sohoa user add`` and the admin page do.

A test module imports the fixtures ``browser``, ``live_app`` and ``screenshots`` by their function names
(``browser_fixture``…) and may configure its app with a module-level ``APP_SETTINGS`` dict.

The browser is the Debian ``chromium`` package driven by the Python ``playwright`` package (its wheel carries the
driver; ``playwright install`` is never run, nothing is downloaded). Without chromium the browser tests are
skipped with the reason, except in CI (``CI`` set), where a missing browser is a failure: CI installs it.

Every step's screenshot (full page, 1280 px wide) goes to ``$SOHOA_SCREENSHOT_DIR`` or ``tests/.artifacts/browser``.

Run the app by hand the same way:  ``SOHOA_DATA_DIR=/tmp/x python -m tests.browser --port 8765``.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.paths import REPO

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

HOST = "127.0.0.1"
CHROMIUM = os.environ.get("SOHOA_CHROMIUM", "/usr/bin/chromium")
# Headless on a 2-core CI box with no GPU and no network: no sandbox (containers run as root), no GPU process,
# no background fetches (updates, safe browsing), /tmp instead of a small /dev/shm.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
)
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOT_DIR = Path(os.environ.get("SOHOA_SCREENSHOT_DIR", REPO / "tests" / ".artifacts" / "browser"))
START_TIMEOUT_S = 90  # importing the app (prefect, tantivy, OpenCV) on a loaded 2-core machine
STOP_TIMEOUT_S = 10


# -- the browser ---------------------------------------------------------------------------------------------------


def require_browser() -> str:
    """The chromium executable, or skip (fail in CI) with the reason the browser tests cannot run."""
    problems = []
    executable = shutil.which(CHROMIUM)
    if executable is None:
        problems.append(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package playwright is not installed (pip install -e '.[test]')")
    if problems:
        reason = "browser tests need a browser: " + "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(reason + " — CI must install it", pytrace=False)
        pytest.skip(reason)
    assert executable is not None
    return executable


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Browser]:
    """One headless chromium for the module; tests open one context per user."""
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class PageProblems:
    """What went wrong inside the pages while a test drove them: script errors, failed loads, server errors.

    A document answered 403/404 is something a test may mean to see; a script, style or image that fails to load,
    or any 5xx, is a defect. The browser's own favicon probe is left out (the app serves no favicon yet).
    """

    script_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))
        page.on("console", lambda msg: self._console(page, msg))
        page.on("response", self._response)

    def _console(self, page: Page, msg: Any) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):  # those: see _response
            self.script_errors.append(f"{page.url}: {msg.text}")

    def _response(self, response: Any) -> None:
        request = response.request
        if response.status >= 500 or (response.status >= 400 and request.resource_type != "document"
                                      and not request.url.endswith("/favicon.ico")):
            self.failed_loads.append(f"{response.status} {request.method} {request.url}")

    def none(self) -> bool:
        return not self.script_errors and not self.failed_loads


def new_context(browser: Browser, base_url: str, problems: PageProblems) -> BrowserContext:
    """A fresh cookie jar (one user) at the 1280-px viewport, a Vietnamese counter PC, its pages watched for errors."""
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    context.on("page", problems.watch)
    return context


class Screenshots:
    """Numbered full-page PNGs of every step, in order: ``01-login.png``, ``02-upload.png``…"""

    def __init__(self, directory: Path = SCREENSHOT_DIR) -> None:
        self.directory = directory
        self.taken: list[Path] = []

    def take(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        """Save the page; ``full_page=False`` keeps what the window shows (sticky bars where a person sees them)."""
        if not self.taken:  # the run's first picture: a stale one from an earlier run must not pass for this run's
            self.directory.mkdir(parents=True, exist_ok=True)
            for old in self.directory.glob("*.png"):
                old.unlink()
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.directory / f"{len(self.taken) + 1:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        return path


@pytest.fixture(scope="session", name="screenshots")
def screenshots_fixture() -> Screenshots:
    """One numbered series per test session (the folder is emptied at the first picture, not when tests skip)."""
    return Screenshots()


# -- the app -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str
    station: str
    display_name: str


class LiveApp:
    """``create_app()`` under uvicorn in a child process, over its own data directory."""

    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.data_dir = data_dir
        self.log_path = data_dir / "server.log"
        self.env = _app_env(data_dir, settings)
        self.base_url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        listener = socket.create_server((HOST, 0))  # bound here, served there: the port cannot be taken meanwhile
        port = listener.getsockname()[1]
        self.base_url = f"http://{HOST}:{port}"
        with listener, self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.browser", "--fd", str(listener.fileno())],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),),
                start_new_session=True,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"the app exited with code {self._process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the app did not answer /healthz within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # uvicorn shuts down cleanly on SIGTERM (the app's lifespan closes its trigger)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no server log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def add_user(self, username: str, role: str, station: str = "", display_name: str = "") -> Account:
        """Create an account in the app's user store, as ``sohoa user add`` and the admin page do."""
        from pipeline.config import Settings
        from pipeline.storage import open_store
        from pipeline.web.auth import UserStore

        password = secrets.token_urlsafe(12)
        settings = Settings(data_dir=self.data_dir, store="local")
        UserStore(open_store(settings)).create(username, password, role, station=station, display_name=display_name)
        return Account(username, password, role, station, display_name)


def _app_env(data_dir: Path, settings: dict[str, str]) -> dict[str, str]:
    """The app's environment: this machine's, minus any SOHOA_* of the developer's shell, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    env.update(
        SOHOA_DATA_DIR=str(data_dir),
        SOHOA_STORE="local",
        SOHOA_INDEX="embedded",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PYTHONUNBUFFERED="1",
    )
    env.update({f"SOHOA_{k.upper()}": v for k, v in settings.items()})
    return env


@pytest.fixture(scope="module", name="live_app")
def live_app_fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The real app on 127.0.0.1 over an empty wallet; stopped (and its log shown on failure) afterwards.

    Its settings are the test module's ``APP_SETTINGS`` (``SOHOA_*`` names without the prefix), if it has one.
    """
    require_browser()  # no point starting a server nobody can drive
    app = LiveApp(tmp_path_factory.mktemp("browser-app"), **getattr(request.module, "APP_SETTINGS", {}))
    try:
        app.start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield app
    finally:
        app.stop()
        print(f"server log ({app.log_path}), last lines:\n{app.log_tail()}")  # shown when a test failed


def t(message_id: str, lang: str = "vi", **kwargs: object) -> str:
    """A web message as the app shows it: tests find controls by their visible, translated names."""
    import pipeline.web.app  # noqa: F401  imports auth and every feature, each registering its messages
    from pipeline.web.templating import message

    return message(message_id, lang, **kwargs)


def sign_in(context: BrowserContext, account: Account, next_path: str = "/") -> Page:
    """Open a page in ``context`` and sign ``account`` in through the login form, finding fields by their labels."""
    page = context.new_page()
    page.goto(f"/login?next={next_path}")
    page.get_by_label(t("auth_username")).fill(account.username)
    page.get_by_label(t("auth_password")).fill(account.password)
    with page.expect_navigation():
        page.get_by_role("button", name=t("auth_submit")).click()
    return page


def drop_files(page: Page, selector: str, files: list[tuple[str, str, bytes]]) -> None:
    """Drop ``(name, mime type, bytes)`` files on ``selector`` as a drag from the desktop would."""
    payload = [{"name": name, "type": mime, "data": base64.b64encode(data).decode()} for name, mime, data in files]
    transfer = page.evaluate_handle(
        """files => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name, {type: f.type}));
            }
            return transfer;
        }""",
        payload,
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": transfer})


def accessibility_problems(page: Page) -> list[str]:
    """What a screen-reader or keyboard user would miss here: unnamed controls and images, no or several h1."""
    return page.evaluate("""() => {
        const problems = [];
        const shown = el => el.offsetParent !== null || el.getClientRects().length > 0;
        for (const el of document.querySelectorAll("input, select, textarea, button")) {
            if (el.type === "hidden" || !shown(el)) continue;
            const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
                || el.getAttribute("aria-labelledby") || el.getAttribute("title")
                || (el.tagName === "BUTTON" && el.textContent.trim());
            if (!named) problems.push(`unnamed ${el.tagName.toLowerCase()} ${el.name || el.id || ""}`.trim());
        }
        for (const img of document.querySelectorAll("img")) {
            if (!img.hasAttribute("alt")) problems.push(`image without alt: ${img.getAttribute("src")}`);
        }
        for (const a of document.querySelectorAll("a[href]")) {
            if (shown(a) && !a.textContent.trim() && !a.getAttribute("aria-label") && !a.querySelector("img[alt]"))
                problems.push(`link without text: ${a.getAttribute("href")}`);
        }
        const h1 = document.querySelectorAll("h1").length;
        if (h1 !== 1) problems.push(`${h1} h1 headings`);
        return problems;
    }""")


def layout_problems(page: Page) -> list[str]:
    """What a person cannot reach: a page wider than the window, a table cut off by a box that does not scroll.

    A wide table in a scrolling box (``.table-wrap``) is reachable, so it is not counted here; the screenshots show
    whether it needs the sideways scroll at 1280 px.
    """
    return page.evaluate("""() => {
        const problems = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth + 1) problems.push(`page is ${root.scrollWidth}px wide`);
        for (const table of document.querySelectorAll("main table")) {
            let box = table.parentElement;
            while (box && box !== document.body && getComputedStyle(box).overflowX === "visible"
                   && box.clientWidth >= table.offsetWidth) box = box.parentElement;
            if (!box || box === document.body || table.offsetWidth <= box.clientWidth + 1) continue;
            if (["auto", "scroll"].includes(getComputedStyle(box).overflowX)) continue;
            const head = table.querySelector("th");
            problems.push(`table "${head ? head.textContent.trim() : ""}…" (${table.offsetWidth}px) is cut by a ` +
                          `${box.clientWidth}px box that does not scroll`);
        }
        return problems;
    }""")


def expect(target: Any) -> Any:
    """Playwright's retrying assertions, imported when used (this module loads without playwright, to skip)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


# -- serving (the child process) -----------------------------------------------------------------------------------


def _serve(argv: list[str] | None = None) -> None:
    """Serve ``create_app()`` (settings from the environment) on an inherited socket, or on a port."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m tests.browser", description=_serve.__doc__)
    parser.add_argument("--fd", type=int, help="listening socket inherited from the parent")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    config = uvicorn.Config("pipeline.web.app:create_app", factory=True, host=HOST, port=args.port,
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    sockets: Any = [socket.socket(fileno=args.fd)] if args.fd is not None else None
    server.run(sockets=sockets)


if __name__ == "__main__":
    _serve()
