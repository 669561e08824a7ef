"""The sweep page as a reader meets it: who leads where, the crossovers in words, the cost model, thread scaling,
the one peak per machine; sweeps kept off the task pages' comparisons; all of it built strictly."""

from __future__ import annotations

import dataclasses
import html

import pytest

from generator.results.load import ResultSet, load_results
from generator.site import benchmarks, build, sweeps
from generator.site.environments import run_anchor
from tests.results import sweep_factory
from tests.site.conftest import REPO_ROOT


@pytest.fixture
def results():
    return sweep_factory.sweep()


@pytest.fixture
def page(repo_ctx, results):
    ctx = dataclasses.replace(repo_ctx, results=ResultSet(results=results))
    (only,) = sweeps.pages(ctx)
    return html.unescape(only.markdown)


def test_the_answer_comes_first_with_the_leader_at_each_range(page):
    first = page.index("## On SYNTHETIC test machine")
    answer = page.index("ResNet-50 inference against batch, best mode of each: PyTorch (eager) at batch 1–2")
    assert first < answer < page.index("### ResNet-50 inference against batch")
    assert "TensorFlow (graph) at batch 4–32" in page


def test_the_crossover_is_said_in_words(page):
    assert "TensorFlow graph overtakes PyTorch eager between batch 2 and 4." in page


def test_the_cost_model_table_separates_fixed_from_per_sample_cost(page):
    assert "Fixed cost a, ms per step [95% CI]" in page
    row = next(line for line in page.splitlines() if line.startswith("| TensorFlow graph | Inference |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert float(cells[2].split()[0]) == pytest.approx(100, abs=3)  # a ≈ 0.10 s, fitted on the raw repeats
    assert float(cells[3].split()[0]) == pytest.approx(30, abs=1)  # b ≈ 0.03 s per sample


def test_threads_show_scaling_efficiency_and_every_point_links_to_its_run(page, results):
    assert "Scaling efficiency" in page and "| PyTorch eager | 100% | 90% |" in page
    assert f"runs.md#{run_anchor(results[0].result_id)}" in page


def test_the_peak_table_names_the_denominator_and_its_witnesses(page):
    assert "## One peak per machine" in page
    assert "| SYNTHETIC test machine (not a real measurement) | cpu · fp32 |" in page


def test_sweep_points_are_not_a_machine_group_of_the_task_pages(results):
    frame = ResultSet(results=results)
    from generator.results.table import build_frame

    groups = benchmarks.machine_groups(build_frame(results))
    assert groups == [] and frame is not None


def test_with_no_sweep_the_page_says_not_measured(repo_ctx):
    ctx = dataclasses.replace(repo_ctx, results=ResultSet(results=[]))
    (only,) = sweeps.pages(ctx)
    assert "No published run of the sweep suite yet" in only.markdown


def test_the_site_builds_strictly_with_sweep_results(tmp_path, results):
    folder = tmp_path / "results" / "synthetic"
    folder.mkdir(parents=True)
    for result in results:
        (folder / f"{result.result_id}.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    assert not [p for p in load_results(tmp_path / "results").problems if p.severity.value == "error"]
    site = tmp_path / "site"
    assert build.build_site(REPO_ROOT / "data", tmp_path / "results", site) == 0  # strict: links and anchors
    built = (site / "benchmarks" / "sweeps" / "index.html").read_text(encoding="utf-8")
    assert built.count('class="atlas-chart"') == 5  # batch: throughput + step time; length: both; threads: one
    assert "overtakes" in built and "<script>alert" not in built
