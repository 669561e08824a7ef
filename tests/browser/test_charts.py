"""Charts draw in the browser, redraw in the other theme, and every chart has a text alternative."""

from __future__ import annotations

from .conftest import open_context

CHART = "figure.atlas-chart"
MARKS = f"{CHART} .vega-embed svg .mark-rect path, {CHART} .vega-embed svg .mark-symbol path, " \
        f"{CHART} .vega-embed svg .mark-line path, {CHART} .vega-embed svg .mark-rule line, " \
        f"{CHART} .vega-embed svg .mark-area path, {CHART} .vega-embed svg .mark-bar path"


def _chart_pages(site, page) -> list[str]:
    pages = []
    for path in site.pages():
        page.goto(site.base_url + path)
        if page.locator(CHART).count():
            pages.append(path)
    return pages


def test_charts_draw_marks_and_redraw_in_the_other_theme(site, browser):
    context, log = open_context(browser)
    page = context.new_page()
    chart_pages = _chart_pages(site, page)
    assert chart_pages, "no page has a chart (figure.atlas-chart)"
    failures = []
    for path in chart_pages:
        page.goto(site.base_url + path, wait_until="networkidle")
        charts = page.locator(CHART).count()
        page.locator(CHART).last.scroll_into_view_if_needed()  # as a reader scrolls: Vega loads near a chart
        page.wait_for_function(
            f"document.querySelectorAll('{CHART} .vega-embed svg').length >= {charts}", timeout=15_000
        )
        if page.locator(MARKS).count() == 0:
            failures.append(f"{path}: charts drew no marks")
            continue
        scheme_before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        background_before = page.evaluate(
            f"document.querySelector('{CHART} .vega-embed svg').outerHTML.length + ':' + "
            f"getComputedStyle(document.querySelector('{CHART} .vega-embed svg text') || document.body).fill"
        )
        toggle = page.locator("form[data-md-component='palette'] label:visible").first
        toggle.click()
        page.wait_for_function(
            f"document.body.getAttribute('data-md-color-scheme') !== {scheme_before!r}", timeout=5_000
        )
        page.wait_for_timeout(300)
        background_after = page.evaluate(
            f"document.querySelector('{CHART} .vega-embed svg').outerHTML.length + ':' + "
            f"getComputedStyle(document.querySelector('{CHART} .vega-embed svg text') || document.body).fill"
        )
        if page.locator(MARKS).count() == 0:
            failures.append(f"{path}: charts vanished after switching theme")
        if background_after == background_before:
            failures.append(f"{path}: charts did not redraw for the {scheme_before!r} → other theme switch")
        # Switch back so the next page starts in the default scheme.
        page.locator("form[data-md-component='palette'] label:visible").first.click()
    context.close()
    assert not failures, "\n".join(failures)
    assert not log.problems(), log.problems()


def test_every_chart_has_a_text_alternative(site, browser):
    context, _ = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    missing = []
    for path in site.pages():
        page.goto(site.base_url + path)
        for index in range(page.locator(CHART).count()):
            figure = page.locator(CHART).nth(index)
            label = (figure.get_attribute("aria-label") or "") + figure.locator("figcaption").inner_text()
            has_table = figure.locator("table").count() > 0 or page.locator(f"{CHART} ~ * table").count() > 0
            has_static = figure.locator("img, svg").count() > 0
            if len(label.strip()) < 20 or not (has_table or has_static):
                missing.append(f"{path}: chart {index + 1} lacks a caption/label and a table or static image")
    context.close()
    assert not missing, "\n".join(missing)


def test_vega_is_fetched_only_when_a_chart_comes_near(site, browser):
    """The static SVGs show at once; the ~900 kB Vega bundle waits until a chart is near the screen."""
    context, log = open_context(browser, viewport={"width": 1280, "height": 600})
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: "vega" in request.url and fetched.append(request.url))
    page.goto(site.base_url + "/benchmarks/image-classification/", wait_until="networkidle")
    assert page.locator(CHART).count() > 0
    below = page.locator(CHART).first.evaluate("el => el.getBoundingClientRect().top - window.innerHeight")
    assert below > 200, "this test needs a page whose first chart starts below the screen"
    assert fetched == [], f"Vega was fetched before any chart came near: {fetched}"
    page.locator(CHART).first.scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelectorAll('{CHART} .vega-embed svg').length > 0", timeout=15_000)
    assert fetched, "Vega was never fetched after a chart came into view"
    context.close()
    assert not log.problems(), log.problems()
