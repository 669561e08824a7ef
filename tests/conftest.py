"""Fixtures shared by every test folder.

One headless Chromium for the whole session: Playwright's sync API cannot run two instances in one process, and
one browser start is cheaper than one per module. It is Debian's Chromium, never a browser a test tool downloads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`invoke test` does) — browser tests never skip")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_sessionfinish(session, exitstatus):
    """A skipped test never counts as passing: a run that skipped anything fails, naming what was skipped."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == pytest.ExitCode.OK:
        reporter.ensure_newline()
        reporter.write_line(f"{len(skipped)} test(s) skipped: a skip is a failure here (install what they need, "
                            "e.g. pip install -e '.[bench,test]')", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
