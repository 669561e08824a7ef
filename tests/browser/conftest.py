"""Real-browser tests of the built site: Debian's Chromium driven by Playwright, the site served on 127.0.0.1.

The browser is never downloaded by a test tool; if ``/usr/bin/chromium`` is missing the tests fail (``invoke
test`` installs it first). Every request that would leave 127.0.0.1 is blocked *and recorded*, so a page that
tries to reach another host fails its test instead of passing quietly offline.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from generator.site.build import build_site

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@dataclass
class Served:
    root: Path
    base_url: str

    def pages(self) -> list[str]:
        """Every HTML page of the site as a URL path ('/' for the home page), 404 page excluded."""
        paths = []
        for html in sorted(self.root.rglob("index.html")):
            rel = html.parent.relative_to(self.root).as_posix()
            paths.append("/" if rel == "." else f"/{rel}/")
        return paths


def _serve(root: Path) -> Iterator[Served]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


def build_into(tmp: Path, data_dir: Path) -> Path:
    site = tmp / "site"
    status = build_site(data_dir, REPO_ROOT / "data" / "results", site)
    assert status == 0, "the site did not build; see the output above"
    return site


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Served]:
    """The site built from the repository's own data, served on 127.0.0.1."""
    root = build_into(tmp_path_factory.mktemp("built"), REPO_ROOT / "data")
    yield from _serve(root)


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"script error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"request to another host: {m}" for m in self.external_requests]
            + [f"dialog opened: {m}" for m in self.dialogs]
        )


def open_context(browser, **kwargs):
    """A fresh browser context whose log records everything a reader's browser would complain about."""
    context = browser.new_context(**kwargs)
    log = PageLog()

    def route(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            log.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", route)

    def watch(page):
        page.on("console", lambda msg: msg.type == "error" and log.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
        page.on(
            "requestfailed",
            lambda req: urlparse(req.url).hostname == "127.0.0.1"
            and req.failure != "net::ERR_ABORTED"  # cancelled by the browser itself on navigating away
            and log.failed_requests.append(f"{req.url} ({req.failure})"),
        )
        page.on("response", lambda resp: resp.status >= 400 and log.failed_requests.append(f"{resp.url} ({resp.status})"))

        def on_dialog(dialog):
            log.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)

    context.on("page", watch)
    return context, log


@pytest.fixture
def context_and_log(browser):
    context, log = open_context(browser)
    yield context, log
    context.close()


def copy_data(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(REPO_ROOT / "data", data, ignore=shutil.ignore_patterns("results"))
    return data
