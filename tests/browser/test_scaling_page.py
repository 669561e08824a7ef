"""The Scaling out page in a real browser, built with synthetic distributed runs: its charts draw, the page fits a
phone (390 px) and a desktop (1280 px) without scrolling sideways, nothing reaches another host, the menu lists it
under Benchmarks, and axe-core finds no serious violation with its tables and charts present."""

from __future__ import annotations

import pytest

from tests.results.distributed_factory import run, standard_set

from .conftest import REPO_ROOT, _serve, open_context

PAGE = "/benchmarks/scaling/"
CHART = "figure.atlas-chart"


@pytest.fixture(scope="module")
def scaling_site(tmp_path_factory):
    from generator.site.build import build_site

    root = tmp_path_factory.mktemp("scaling")
    results = root / "results" / "synthetic"
    results.mkdir(parents=True)
    for result in [*standard_set(), run("sentiment-analysis", "tensorflow", 2, "weak", status="failed", step_s=7.7)]:
        (results / f"{result.result_id}.json").write_text(result.model_dump_json(), encoding="utf-8")
    assert build_site(REPO_ROOT / "data", root / "results", root / "site") == 0
    yield from _serve(root / "site")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_draws_its_charts_and_fits_the_screen(scaling_site, browser, width):
    context, log = open_context(browser, viewport={"width": width, "height": 800}, is_mobile=width < 600)
    page = context.new_page()
    page.goto(scaling_site.base_url + PAGE, wait_until="networkidle")
    charts = page.locator(CHART).count()
    assert charts == 3  # scaling efficiency, then one throughput chart per model
    page.locator(CHART).last.scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelectorAll('{CHART} .vega-embed svg').length >= {charts}",
                           timeout=15_000)
    page.wait_for_timeout(300)
    assert page.locator(f"{CHART} .vega-embed svg .mark-rect path").count() > 0
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"the page scrolls sideways at {width} px: {scroll} > {client}"
    assert page.get_by_role("heading", name="What a 2-core machine can and cannot say about a 64-GPU cluster")
    assert page.locator("table").count() >= 3
    context.close()
    assert not log.problems(), log.problems()


def test_the_menu_lists_the_page_under_benchmarks(scaling_site, browser):
    context, log = open_context(browser, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(scaling_site.base_url + "/benchmarks/", wait_until="networkidle")
    link = page.locator("nav a", has_text="Scaling out").first
    assert link.count() == 1
    link.click()
    page.wait_for_url("**" + PAGE)
    assert "Scaling out" in page.title()
    context.close()
    assert not log.problems(), log.problems()


def test_axe_finds_no_serious_or_critical_violation_with_results(scaling_site, browser):
    from .test_accessibility import AXE

    assert AXE.is_file(), f"{AXE} missing: run `npm ci --prefix tools` (invoke test does)"
    context, _ = open_context(browser)
    page = context.new_page()
    page.goto(scaling_site.base_url + PAGE, wait_until="networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    serious = [f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)
