"""The chart pages in a real browser, built from the synthetic results: charts embed from the site's own scripts,
redraw in the dark theme, fit a phone's width, and without JavaScript the static SVG is there."""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
CHART_PAGE = "/benchmarks/image-classification/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(built_site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _page(browser, problems: list[str], **options):
    context = browser.new_context(**options)

    def route(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def test_charts_embed_and_redraw_in_the_dark_theme(served, browser):
    problems: list[str] = []
    page = _page(browser, problems)
    page.goto(served + CHART_PAGE, wait_until="networkidle")
    count = page.locator("figure.atlas-chart").count()
    assert count == 7
    page.locator("figure.atlas-chart").last.scroll_into_view_if_needed()  # Vega loads when a chart comes near
    page.wait_for_function(f"document.querySelectorAll('figure.atlas-chart .vega-embed svg').length >= {count}")
    fill = "getComputedStyle(document.querySelector('figure.atlas-chart .vega-embed svg text')).fill"
    light = page.evaluate(fill)
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"{fill} !== {light!r}", timeout=10_000)
    assert page.locator("figure.atlas-chart .vega-embed svg .mark-rect path").count() > 0
    assert not problems, problems


def test_charts_fit_a_phone(served, browser):
    problems: list[str] = []
    page = _page(browser, problems, viewport={"width": 375, "height": 740}, is_mobile=True)
    page.goto(served + CHART_PAGE, wait_until="networkidle")
    page.locator("figure.atlas-chart").last.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('figure.atlas-chart .vega-embed svg').length >= 7")
    page.wait_for_timeout(300)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    assert not problems, problems


def test_without_javascript_the_static_svg_and_the_table_remain(served, browser):
    problems: list[str] = []
    page = _page(browser, problems, java_script_enabled=False)
    page.goto(served + CHART_PAGE)
    figure = page.locator("figure.atlas-chart").first
    figure.scroll_into_view_if_needed()  # charts off screen are not laid out until a reader scrolls near them
    assert figure.locator("svg[role='img']").count() == 1
    expect(figure.locator("figcaption")).to_contain_text("Measured on")  # shown once laid out (next frame)
    assert page.locator("figure.atlas-chart + * table, figure.atlas-chart ~ table").count() > 0
