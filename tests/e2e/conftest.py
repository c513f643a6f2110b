"""Browser tests: a live server on a free loopback port and Debian's Chromium via Playwright."""

import os
import shutil
import socket
import threading
import time

import pytest
import uvicorn

from server.main import create_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Not under test-results/: pytest-playwright empties that folder at the start of a run.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "build/screenshots")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Playwright's wait_for_function evaluates its predicate with eval(), which the pages'
    # Content-Security-Policy forbids; tests/e2e/test_csp.py loads every page with the policy
    # enforced.
    return {
        **browser_context_args,
        "viewport": {"width": 1440, "height": 1000},
        "bypass_csp": True,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url():
    """Serve the real app on loopback for the whole session (overrides pytest-base-url)."""
    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


class ConsoleLog:
    """Console errors, page errors and failed requests seen by a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.allowed: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        self.external: list[str] = []
        page.on("request", self._request)

    def _failed(self, request):
        if request.failure != "net::ERR_ABORTED":  # superseded requests are aborted on purpose
            self.errors.append(f"request failed: {request.url} {request.failure}")

    def _request(self, request):
        url = request.url
        if not url.startswith(("http://127.0.0.1", "data:", "blob:")):
            self.external.append(url)

    def allow(self, text: str):
        """Accept console errors containing `text` (e.g. the browser's note on a wanted 422)."""
        self.allowed.append(text)

    def assert_clean(self):
        errors = [e for e in self.errors if not any(a in e for a in self.allowed)]
        assert errors == [], f"console errors: {errors}"
        assert self.external == [], f"requests left the machine: {self.external}"


@pytest.fixture
def console(page):
    log = ConsoleLog(page)
    yield log
    log.assert_clean()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as build/screenshots/<name>.png."""

    def take(name: str):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)

    return take
