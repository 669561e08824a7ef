"""The deployment page as a reader meets it: per model every path, its outcome linked to its run, what failed
and how to rerun it; smoke and busy cells left out; every cell in api/deployment.csv; all of it built strictly."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json

import pytest

from generator.results.load import ResultSet, load_results
from generator.results.table import DEPLOYMENT_COLUMNS
from generator.site import build, deployment, environments
from generator.site.environments import run_anchor
from tests.results.deployment_factory import cell, matrix
from tests.site.conftest import REPO_ROOT

HOSTILE = '<script>alert("x")</script> [link](javascript:alert(1)) converter raised'


def cells():
    found = matrix({"tf-onnx": "export-failed", "torch-executorch": "runtime-failed"},
                   tasks=("image-classification", "sentiment-analysis"))
    found = [c if not (c.config.task == "sentiment-analysis" and c.config.path == "tf-onnx") else
             cell("tf-onnx", "sentiment-analysis", "export-failed", message=HOSTILE) for c in found]
    found.append(cell("torch-onnx", "object-detection", "outputs-differ"))
    found.append(cell("torch-aoti", "object-detection", suite="deploy-smoke"))  # checks the harness only
    found.append(cell("tf-savedmodel", "object-detection", busy=True))  # a loaded machine
    return found


@pytest.fixture
def ctx(repo_ctx):
    return dataclasses.replace(repo_ctx, results=ResultSet(results=cells()))


@pytest.fixture
def raw_page(ctx):
    (only,) = deployment.pages(ctx)
    return only.markdown


@pytest.fixture
def page(raw_page):
    """As a reader sees the text (inert() writes Markdown's special characters as entities)."""
    return html.unescape(raw_page)


def test_every_model_has_its_matrix_with_every_path(page):
    for title in ("Image classification: ResNet-50", "Text classification: BERT-base"):
        assert f"### {title}" in page
    for path in ("tf-savedmodel", "tf-litert-int8", "torch-aoti", "torch-litert"):
        assert f"{path}: " in page


def test_each_outcome_links_to_its_run(page):
    works = cell("tf-savedmodel")
    assert f"[works](runs.md#{run_anchor(works.result_id)})" in page
    failed = cell("tf-onnx", outcome="export-failed")
    assert f"[export failed (export)](runs.md#{run_anchor(failed.result_id)})" in page


def test_failures_are_findings_with_the_error_and_the_command(page):
    assert "## Paths that did not work" in page
    assert "<code>atlas bench --suite deploy --path torch-executorch</code>" in page
    assert "runtime failed (run)" in page


def test_outputs_that_differ_say_so_with_the_difference(page):
    assert "outputs differ" in page and "max rel. Δ 5.0e-02 · top-1 4/8" in page


def test_the_verdict_comes_first_with_counts_per_framework(page):
    summary = page.index("**TensorFlow**")
    assert summary < page.index("### Image classification")
    assert "**TensorFlow**: 6 of 8 cells work (4 paths × 2 models) — not: Image classification: ResNet-50 via " \
           "tf-onnx: export failed" in page


def test_smoke_and_busy_cells_are_not_compared(page):
    assert "Object detection" in page  # the outputs-differ cell is a deploy-suite cell
    smoke, busy = cell("torch-aoti", "object-detection", suite="deploy-smoke"), cell(
        "tf-savedmodel", "object-detection", busy=True)
    assert run_anchor(smoke.result_id) not in page and run_anchor(busy.result_id) not in page


def test_contributors_error_text_is_inert(raw_page):
    assert '<script>alert("x")' not in raw_page and "](javascript:" not in raw_page


def test_a_failed_path_is_a_labelled_row_of_the_chart(ctx):
    group = deployment.compared_cells(ctx)[0]
    bert = [c for c in group.cells if c.config.task == "sentiment-analysis"]
    chart = deployment.latency_chart(bert, {"tensorflow": "TensorFlow", "pytorch": "PyTorch"}, "BERT", "here", "x")
    values = chart.spec["layer"][0]["data"]["values"] if "data" in chart.spec["layer"][0] else chart.spec["data"][
        "values"]
    labelled = {v["path"]: v.get("note") for v in values}
    assert labelled["tf-onnx"] == "export failed" and labelled["torch-aoti"] is None


def test_the_csv_has_every_quiet_cell_failed_ones_included(ctx, tmp_path):
    for result in cells():
        folder = tmp_path / "synthetic"
        folder.mkdir(exist_ok=True)
        (folder / f"{result.result_id}.json").write_text(result.model_dump_json(), encoding="utf-8")
    loaded = load_results(tmp_path)
    assert [p.format() for p in loaded.problems if p.severity == "error"] == []
    rows = list(csv.DictReader(io.StringIO(
        environments.deployment_csv(dataclasses.replace(ctx, results=loaded)).decode())))
    assert list(rows[0]) == list(DEPLOYMENT_COLUMNS)
    assert len(rows) == len(cells()) - 1  # the busy cell is left out; the smoke cell is a row (suite says so)
    failed = next(r for r in rows if r["path"] == "torch-executorch")
    assert failed["outcome"] == "runtime-failed" and failed["reproduce"].startswith("atlas bench")
    assert failed["latency_ms_p50"] == ""  # missing is empty, never 0


def test_the_site_builds_strictly_with_deployment_results(tmp_path):
    results = tmp_path / "results"
    for result in cells():
        (results / "synthetic").mkdir(parents=True, exist_ok=True)
        (results / "synthetic" / f"{result.result_id}.json").write_text(result.model_dump_json(), encoding="utf-8")
    site = tmp_path / "site"
    assert build.build_site(REPO_ROOT / "data", results, site) == 0  # mkdocs --strict: every link and anchor
    page = (site / "benchmarks" / "deployment" / "index.html").read_text()
    assert "Paths that did not work" in page and "<script>alert" not in page
    downloads = (site / "benchmarks" / "data" / "index.html").read_text()
    assert "deployment.csv" in downloads and "failure_stage" in downloads
    assert json.loads((site / "api" / "kb.json").read_text())
