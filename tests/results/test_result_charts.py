"""Every chart is valid Vega-Lite, carries its data, and its markup cannot be broken by the data."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from altair.vegalite import SCHEMA_VERSION, load_schema

from generator.site import benchmarks, charts

from .conftest import HOSTILE


@pytest.fixture(scope="module")
def validator():
    schema = load_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def all_exhibits(ctx):
    names = benchmarks.framework_names(ctx)
    step_times = {r.result_id: list(r.timing.step_times_s) for r in ctx.results.compared}
    found = []
    for machine, rows in benchmarks.machine_groups(ctx.results.frame):
        for task_id in benchmarks.PERFORMANCE_TASKS:
            task_rows = rows[rows["task"] == task_id]
            if len(task_rows):
                links = benchmarks.Links(benchmarks.task_page_path(task_id))
                found += benchmarks.exhibits(machine, task_rows, task_id, names, links, step_times)
    return found


@pytest.fixture(scope="module")
def exhibits(ctx):
    return all_exhibits(ctx)


def test_the_fixture_produces_every_kind_of_chart(exhibits):
    kinds = {exhibit.chart.chart_id.split("-")[0] for exhibit in exhibits}
    assert kinds == {"throughput", "sweep", "speedup", "latency", "memory", "utilisation"}


def test_every_chart_spec_is_valid_vega_lite(exhibits, validator):
    assert exhibits
    for exhibit in exhibits:
        spec = exhibit.chart.spec
        errors = sorted(validator.iter_errors(spec), key=str)
        assert not errors, f"{exhibit.chart.chart_id}: {errors[0].message}"
        assert spec["$schema"].endswith(f"{SCHEMA_VERSION}.json")


def test_every_chart_has_title_units_caption_and_inlined_data(exhibits):
    for exhibit in exhibits:
        spec, chart = exhibit.chart.spec, exhibit.chart
        assert spec["title"]["text"] == chart.title
        text = json.dumps(spec, ensure_ascii=False)
        assert re.search(r"\((samples/s|ms|MB|×)[^)]*\)|machine's peak", text), f"{chart.chart_id}: no unit"
        assert "Measured on" in chart.caption and "SYNTHETIC" in chart.caption
        assert '"values"' in text and '"url"' not in text, "data must be inlined, never fetched"
        assert exhibit.table.rows, "every chart has a table of the same numbers"


def _values(spec, field):
    """The first inline data set in the spec with rows that have ``field``."""
    if isinstance(spec, dict):
        values = spec.get("data", {}).get("values") if isinstance(spec.get("data"), dict) else None
        if values and field in values[0]:
            return values
        for item in [*spec.values()]:
            found = _values(item, field)
            if found:
                return found
    if isinstance(spec, list):
        for item in spec:
            found = _values(item, field)
            if found:
                return found
    return None


def test_a_chart_and_its_table_show_the_same_measurements(exhibits):
    exhibit = next(e for e in exhibits if e.chart.chart_id.startswith("throughput-inference"))
    plotted = sorted(f"{v['throughput']:,.0f}" for v in _values(exhibit.chart.spec, "throughput"))
    tabled = sorted(re.search(r"\[([\d,.&#;]+)\]", str(row[0])).group(1).replace("&#46;", ".") for row in
                    exhibit.table.rows)
    assert len(plotted) == len(tabled) > 0
    assert plotted == sorted(f"{float(t.replace(',', '')):,.0f}" for t in tabled)


def test_missing_memory_is_left_out_of_the_chart_and_says_not_measured(exhibits):
    exhibit = next(e for e in exhibits if e.chart.chart_id.startswith("memory")
                   and "sentiment" in e.table.markdown())  # BERT inference has no memory figure in the fixture
    assert "not measured" in exhibit.table.markdown()
    values = json.dumps(exhibit.chart.spec)
    assert '"memory": 0' not in values and '"memory":0' not in values


def test_static_svg_and_figure_markup(ctx, exhibits):
    exhibit = exhibits[0]
    html = str(charts.figure(exhibit.chart, ctx.repo_root))
    assert html.startswith('<figure class="atlas-chart"') and "<svg" in html and "<figcaption" in html
    assert "\n\n" not in html, "a blank line would end the raw HTML block in Markdown"
    assert 'class="atlas-chart__spec"' in html


def test_figure_markup_cannot_be_broken_by_hostile_data(tmp_path):
    spec = charts.finish(
        charts.alt.Chart(charts.alt.Data(values=[{"name": HOSTILE + "</script><!--", "value": 1}]))
        .mark_bar().encode(x="value:Q", y="name:N"),
        HOSTILE, "subtitle",
    )
    chart = charts.Chart("hostile", spec, HOSTILE, HOSTILE)
    html = str(charts.figure(chart, tmp_path))
    spec_block = re.search(r'<script type="application/json" class="atlas-chart__spec">(.*?)</script>', html, re.DOTALL)
    assert spec_block and json.loads(spec_block.group(1))["data"]["values"][0]["name"].startswith("<script>")
    outside = html.replace(spec_block.group(0), "")
    assert "<script>alert" not in outside and "&lt;script&gt;" in outside
    assert html.count("</script>") == 1


def test_loader_links_the_served_scripts():
    loader = str(charts.loader("benchmarks/image-classification.md"))
    assert "(../assets/javascripts/vega.js)" in loader and "(../assets/javascripts/atlas-charts.js)" in loader
    assert "http" not in loader, "the scripts come from the site itself"


def test_assets_are_the_bundle_and_the_embedding_script(tmp_path):
    assets = {asset.path: asset.content for asset in charts.assets(tmp_path)}
    assert set(assets) == {charts.VEGA_JS, charts.CHARTS_JS}
    assert b"window.vegaEmbed" in assets[charts.VEGA_JS]
    script = assets[charts.CHARTS_JS].decode()
    assert "MutationObserver" in script and "data-md-color-scheme" in script
