"""What a reader sees on the benchmark, methodology, provenance and fact-check pages, rendered from fixture results."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from generator.bench import methodology as harness
from generator.kb.models import BenchmarkTask, Claim
from generator.results.load import load_results
from generator.site import benchmarks, environments, factcheck, methodology
from generator.site.markup import inert
from tests.site.conftest import claim_block

from .conftest import HOSTILE, make_context, pages_by_path
from .result_factory import environment, performance, write


@pytest.fixture(scope="module")
def benchmark_pages(ctx):
    return pages_by_path(benchmarks.pages(ctx))


def _table_rows(markdown: str, first_cell: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(f"| {first_cell} |")]


def _comparison_rows(markdown: str) -> list[dict[str, str]]:
    """The rows of every "who is faster" table (verdict first, one column per framework, then the setup), each as
    {column: cell}; a column lifted into the caption (every row the same) is filled in from the caption."""
    rows, headers, shared = [], None, {}
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("| Verdict | TensorFlow | PyTorch |"):
            headers = [cell.strip() for cell in line.strip("|").split(" | ")]
            caption = html.unescape(lines[index - 3]) if lines[index - 2].startswith("{: .atlas-caption") else ""
            shared = dict(part.split(": ", 1) for part in caption.split(" · ") if ": " in part)
        elif headers and line.startswith("|") and not line.startswith("|---"):
            rows.append({**shared, **dict(zip(headers, (c.strip() for c in line.strip("|").split(" | ")),
                                              strict=True))})
        elif not line.startswith("|"):
            headers = None
    return rows


def test_a_chart_page_renders_its_charts_with_their_data(benchmark_pages):
    page = benchmark_pages["benchmarks/image-classification.md"].markdown
    assert page.count('<figure class="atlas-chart"') == 7
    assert page.count('class="atlas-chart__spec"') == 7
    assert "SYNTHETIC test machine" in page
    assert "(../assets/javascripts/vega.js)" in page, "a chart page loads the served scripts"
    assert "runs.md#run-synthetic-image-classification-pytorch-eager-fp32-inference-b8-cpu" in page


def test_pages_without_charts_do_not_load_the_bundle(ctx, benchmark_pages):
    assert "vega.js" not in benchmark_pages["benchmarks/index.md"].markdown
    for item in [*environments.pages(ctx), *methodology.pages(ctx), *factcheck.pages(ctx)]:
        assert "vega.js" not in getattr(item, "markdown", ""), item.path


def test_a_missing_measurement_says_not_measured_never_zero(benchmark_pages):
    page = benchmark_pages["benchmarks/sentiment-analysis.md"].markdown
    # The fixture has no TensorFlow compiled training run for BERT.
    [row] = [r for r in _comparison_rows(page)
             if (r["Phase"], r["Mode"], r["Precision"]) == ("Training", "compiled", "fp32")]
    assert row["TensorFlow"].startswith("not measured")
    assert "methodology.md#contribute-a-measurement" in row["TensorFlow"]
    assert row["Verdict"] == "not measured in both"
    assert not re.search(r"\| 0(\.0+)?(/s)? \|", page)


def test_a_mode_a_framework_does_not_have_is_not_offered_as_a_gap(benchmark_pages):
    """TensorFlow's graph mode has no PyTorch counterpart: its row says so instead of asking for a measurement."""
    page = benchmark_pages["benchmarks/object-detection.md"].markdown
    rows = [r for r in _comparison_rows(page) if (r["Phase"], r["Mode"], r["Precision"]) == ("Inference", "graph",
                                                                                               "fp32")]
    assert rows
    for row in rows:
        assert "/s" in row["TensorFlow"] and row["PyTorch"] == "no graph mode"
        assert html.unescape(row["Verdict"]) == "nothing to compare: PyTorch has no graph mode"


def test_with_no_results_every_cell_is_not_measured(knowledge_base, tmp_path):
    empty = make_context(knowledge_base, load_results(tmp_path))
    pages = pages_by_path(benchmarks.pages(empty))
    overview = pages["benchmarks/index.md"].markdown
    rows = _comparison_rows(overview)
    assert rows and all(row["TensorFlow"].startswith("not measured") and row["PyTorch"].startswith("not measured")
                        for row in rows)
    assert "Not measured yet" in pages["benchmarks/object-detection.md"].markdown
    assert "atlas-chart" not in pages["benchmarks/object-detection.md"].markdown


def test_overview_names_the_faster_framework_with_ratio_and_hardware(benchmark_pages):
    overview = benchmark_pages["benchmarks/index.md"].markdown
    assert "PyTorch 1.15× faster" in overview  # the fixture's PyTorch is 15% faster
    assert "environments.md#machine-synth01" in overview
    assert "[" in overview and "95% CI" in overview


def test_failed_and_busy_runs_are_listed_with_their_reason(benchmark_pages, resultset):
    page = benchmark_pages["benchmarks/object-detection.md"].markdown
    assert "## Failed runs" in page and inert("synthetic: ran out of memory at batch 64") in page
    image = benchmark_pages["benchmarks/image-classification.md"].markdown
    assert "## Left out: runs on a busy machine" in image and "synthetic-busy-run" in image
    assert "synthetic-busy-run" not in set(resultset.frame["result_id"])


def test_every_number_links_to_a_run_anchor_that_exists(ctx, benchmark_pages):
    runs = pages_by_path(environments.pages(ctx))["benchmarks/runs.md"].markdown
    anchors = set(re.findall(r'<span id="([^"]+)"></span>', runs))
    linked = set()
    for page in benchmark_pages.values():
        linked |= set(re.findall(r"runs\.md#([a-z0-9-]+)", page.markdown))
    assert linked and linked <= anchors
    assert len(anchors) == len(ctx.results.results)


def test_environments_page_shows_each_machine_in_full(ctx):
    page = pages_by_path(environments.pages(ctx))["benchmarks/environments.md"].markdown
    assert '{: #machine-synth01 }' in page
    for value in ("Synthetic CPU 2-core", "Linux-synthetic", "2.99.0", "OMP_NUM_THREADS=2", "onednn=synthetic"):
        assert inert(value) in page, value


def test_methodology_is_generated_from_the_harness_settings(ctx):
    page = methodology.pages(ctx)[0].markdown
    assert f"`BOOTSTRAP_RESAMPLES`: **{inert(methodology.format_value(harness.BOOTSTRAP_RESAMPLES))}**" in page
    assert f"`QUIET_FOREIGN_CPU_SHARE`: **{inert(methodology.format_value(harness.QUIET_FOREIGN_CPU_SHARE))}**" in page
    for suite in harness.SUITES.values():
        assert f"| `{suite.name}` |" in page
    assert inert("percentile bootstrap of the median over repeats") in page, "the reasons come from the comments"
    assert "{: #contribute-a-measurement }" in page
    assert "## Settings the published runs recorded" in page


def test_fact_check_lists_every_claim_with_verdict_and_measurements(ctx):
    page = factcheck.pages(ctx)[0].markdown
    for claim in ctx.kb.claims:
        assert f'<span id="claim-{claim.id}"></span>' in page
        assert f'<a href="#claim-{claim.id}">' in page, "the summary table links every claim to its entry"
    measured = [c for c in ctx.kb.claims if "image-classification" in c.measured_by]
    assert measured, "the knowledge base has claims measured by the image-classification benchmark"
    for claim in measured:
        block = claim_block(page, claim.id)
        assert "who is faster, every mode and precision" in block, claim.id  # the full evidence, one click away
        if claim.compares is not None and claim.compares.metric.value == "accuracy":
            assert "samples/s" not in block and "<table>" not in block, f"speed numbers under {claim.id}"
    speed = [c for c in measured if c.compares is not None and c.compares.metric.value == "throughput"]
    assert speed and any('<a href="../benchmarks/runs/#run-' in claim_block(page, c.id) for c in speed), \
        "each measured number links to its run"
    accuracy = [c for c in ctx.kb.claims if "digits-accuracy" in c.measured_by]
    if accuracy:  # no accuracy results in the fixture: said, not hidden
        block = claim_block(page, accuracy[0].id)
        assert '<a href="../benchmarks/accuracy/">learning curves and every run</a>' in block
        assert 'not measured — <a href="../benchmarks/methodology/#contribute-a-measurement">contribute it' in block


def test_hostile_text_from_results_and_the_knowledge_base_stays_text(knowledge_base, tmp_path):
    hostile_env = environment(machine_label=HOSTILE, cpu_model=HOSTILE)
    result = performance(batch_size=1).model_copy(update={"environment": hostile_env})
    write(tmp_path, result)
    claim = Claim(id="hostile-claim", quote=HOSTILE, section=HOSTILE, status="unverified", evidence=HOSTILE,
                  measured_by=["image-classification"], sources=[], last_reviewed=knowledge_base.kb.claims[0].last_reviewed)
    task = knowledge_base.kb.benchmarks[0]
    kb = knowledge_base.kb.model_copy(update={
        "claims": [*knowledge_base.kb.claims, claim],
        "benchmarks": [task.model_copy(update={"description": HOSTILE, "model": HOSTILE}),
                       *knowledge_base.kb.benchmarks[1:]],
    })
    assert isinstance(kb.benchmarks[0], BenchmarkTask)
    ctx = make_context(dataclasses.replace(knowledge_base, kb=kb), load_results(tmp_path))
    items = [*benchmarks.pages(ctx), *environments.pages(ctx), *factcheck.pages(ctx)]
    for page in pages_by_path(items).values():
        text = page.markdown
        assert "<script>alert" not in text, page.path
        if "atlas_html: true" in text.split("\n---\n", 1)[0].splitlines():
            continue  # rendered straight to HTML, never through Markdown: Markdown syntax in it is plain text
        assert "](javascript:" not in text, page.path
        assert '{: onclick' not in text, page.path
    factcheck_page = pages_by_path(items)["fact-check.md"].markdown
    assert "&lt;script&gt;" in factcheck_page
    assert "atlas_html: true" in factcheck_page.split("\n---\n", 1)[0].splitlines()


def test_accuracy_runs_busy_or_failed_do_not_break_the_benchmark_pages(knowledge_base, tmp_path):
    """The results folder also holds accuracy runs (their config is a dict): the speed pages skip them, the runs
    page lists them, and the fact-check summarises the ok, quiet ones."""
    from generator.results.schema import Status
    from tests.bench.accuracy.factory import accuracy_result

    write(tmp_path, performance())
    for result in [accuracy_result("pytorch", 1, 0.98, env={"busy": True}),
                   accuracy_result("tensorflow", 2, 0.9, status=Status.failed),
                   accuracy_result("tensorflow", 3, 0.97)]:
        path = tmp_path / "synthetic" / f"{result.result_id}.json"
        path.write_text(result.model_dump_json(), encoding="utf-8")
    loaded = load_results(tmp_path)
    assert not [p for p in loaded.problems if p.severity == "error"], [p.format() for p in loaded.problems]
    ctx = make_context(knowledge_base, loaded)
    pages = pages_by_path([*benchmarks.pages(ctx), *environments.pages(ctx), *factcheck.pages(ctx)])
    runs = pages["benchmarks/runs.md"].markdown
    assert runs.count('<span id="run-') == 4
    assert "## Failed runs" not in pages["benchmarks/image-classification.md"].markdown
