"""The Scaling out page as a reader meets it: per machine the equivalence check, throughput and efficiency per
model, every failed run with its reason and command, smoke and busy runs left out, what 2 cores cannot say about a
cluster; every run in api/distributed.csv; the fact-check shows the summary under the large-scale claims; all of it
built strictly."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io

import pytest

from generator.results.load import ResultSet, load_results
from generator.results.table import DISTRIBUTED_COLUMNS, build_distributed_frame
from generator.site import build, environments, scaling
from generator.site.environments import run_anchor
from tests.results.distributed_factory import run, standard_set
from tests.site.conftest import REPO_ROOT, claim_block

HOSTILE = '<script>alert("x")</script> [link](javascript:alert(1)) worker died'
LATER = dt.datetime(2026, 1, 6, 13, 0, tzinfo=dt.UTC)
KILLED = run("sentiment-analysis", "tensorflow", 2, "weak", status="failed", message=HOSTILE, step_s=7.7,
             finished_at=LATER)
DIFFERS = run("image-classification", "pytorch", 2, "weak", passed=False, step_s=8.8, finished_at=LATER)
SMOKE = run("image-classification", "pytorch", 2, "strong", suite="distributed-smoke", step_s=0.1)
BUSY = run("image-classification", "tensorflow", 2, "strong", busy=True, step_s=0.2, finished_at=LATER)


def runs():
    return [*standard_set(), KILLED, DIFFERS, SMOKE, BUSY]


def _write(folder, results):
    (folder / "synthetic").mkdir(parents=True, exist_ok=True)
    for result in results:
        (folder / "synthetic" / f"{result.result_id}.json").write_text(result.model_dump_json(), encoding="utf-8")
    return folder


@pytest.fixture
def ctx(repo_ctx):
    results = runs()
    quiet = [r for r in results if not r.environment.busy]
    return dataclasses.replace(repo_ctx, results=ResultSet(results=results,
                                                           distributed_frame=build_distributed_frame(quiet)))


@pytest.fixture
def raw_page(ctx):
    (only,) = scaling.pages(ctx)
    return only.markdown


@pytest.fixture
def page(raw_page):
    return html.unescape(raw_page)


def test_every_model_has_its_chart_and_table_per_machine(page):
    assert "## On SYNTHETIC test machine" in page
    for title in ("Image classification: ResNet-50", "Text classification: BERT-base"):
        assert f"### {title}" in page
        assert f"{title}: training throughput on 1 and 2 workers" in page
    assert "Scaling efficiency, 2 workers against 1" in page


def test_the_summary_leads_with_the_equivalence_check(page):
    summary = page.index("**PyTorch** (DistributedDataParallel)")
    assert summary < page.index("### Image classification")
    # PyTorch's latest ResNet weak run differs; TensorFlow's BERT weak run died before its check.
    assert "the 2-worker weights equal the 1-worker weights in 3 of 4 checked runs; scaling efficiency " \
           "ResNet-50 strong 77%, weak failed at equivalence; BERT-base strong 77%, weak 83%." in page
    assert "in 3 of 3 checked runs (1 run(s) failed before the check)" in page
    assert "**TensorFlow** (MultiWorkerMirroredStrategy)" in page
    assert "BERT-base strong 77%, weak failed at train." in page


def test_speedup_and_efficiency_are_against_the_1_worker_run(page):
    # Synthetic: 1 worker × 8 in 2.0 s, 2 workers × 4 in 2.6 s, the same 2 cores: 2/2.6 = 77%.
    assert "0.77×" in page and "77%" in page


def test_each_number_links_to_its_run_and_a_failed_run_says_where(page):
    strong = run("image-classification", "pytorch", 2, "strong", step_s=2.6)
    assert f"(runs.md#{run_anchor(strong.result_id)})" in page
    assert f"[failed (train)](runs.md#{run_anchor(KILLED.result_id)})" in page
    assert f"[weights differ](runs.md#{run_anchor(DIFFERS.result_id)})" in page


def test_the_correctness_check_has_its_own_table_before_the_speed(page):
    table = page.split("### Is the 2-worker model the 1-worker model?")[1].split("### Scaling efficiency")[0]
    assert "| Model | Framework | Run | Same start? | Largest difference (of the update) | Bar | Result |" in table
    assert "| Image classification: ResNet-50 | PyTorch | 2 workers × 8 (weak) | yes | 5.0e-01 | 0.001 |" in table
    assert "not checked: the run failed before" in table  # TensorFlow's BERT weak run died before its check
    assert page.index("### Is the 2-worker model") < page.index("### Image classification")


def test_failures_are_findings_with_the_reason_and_the_command(page):
    assert "## Runs that did not finish" in page
    assert ("<code>atlas bench --suite distributed --task sentiment-analysis --framework tensorflow "
            "--workers 2</code>") in page
    assert "equivalence" in page.split("## Runs that did not finish")[1].split("## What a 2-core")[0]


def test_smoke_and_busy_runs_are_not_compared(page):
    assert run_anchor(SMOKE.result_id) not in page and run_anchor(BUSY.result_id) not in page


def test_the_page_says_what_two_cores_cannot_say(page):
    limits = page.split("## What a 2-core machine can and cannot say about a 64-GPU cluster")[1]
    assert "NVLink and InfiniBand" in limits and "stay open" in limits
    assert "Correctness before speed" in page


def test_contributors_text_is_inert(raw_page):
    assert '<script>alert("x")' not in raw_page and "](javascript:" not in raw_page


def test_a_failed_run_has_no_bar_and_the_chart_has_the_rest(ctx):
    group = scaling.compared_runs(ctx)[0]
    chart = scaling.throughput_chart(group, "sentiment-analysis", "BERT", {"tensorflow": "TensorFlow",
                                                                            "pytorch": "PyTorch"})
    values = chart.spec["layer"][0]["data"]["values"] if "data" in chart.spec["layer"][0] else chart.spec["data"][
        "values"]
    bars = {(v["framework_name"], v["run"]) for v in values}
    assert ("TensorFlow", "2 workers × 8 (weak)") not in bars and ("PyTorch", "2 workers × 8 (weak)") in bars
    assert len(bars) == 5


def test_without_runs_the_page_asks_for_them(repo_ctx):
    (only,) = scaling.pages(dataclasses.replace(repo_ctx, results=ResultSet()))
    assert "No published run of the distributed suite yet" in only.markdown


def test_the_csv_has_every_quiet_run_failed_ones_included(ctx, tmp_path):
    loaded = load_results(_write(tmp_path, runs()))
    assert [p.format() for p in loaded.problems if p.severity == "error"] == []
    rows = list(csv.DictReader(io.StringIO(
        environments.distributed_csv(dataclasses.replace(ctx, results=loaded)).decode())))
    assert list(rows[0]) == list(DISTRIBUTED_COLUMNS)
    assert len(rows) == len(runs()) - 1  # the busy run is left out; the smoke run is a row (its suite says so)
    killed = next(r for r in rows if r["result_id"] == KILLED.result_id)
    assert killed["status"] == "failed" and killed["failure_stage"] == "train"
    assert killed["throughput_samples_per_s"] == "" and killed["reproduce"].startswith("atlas bench")


def test_the_site_builds_strictly_and_the_large_scale_claims_show_the_page(tmp_path):
    site = tmp_path / "site"
    assert build.build_site(REPO_ROOT / "data", _write(tmp_path / "results", runs()), site) == 0
    page = (site / "benchmarks" / "scaling" / "index.html").read_text()
    assert "Runs that did not finish" in page and "<script>alert" not in page
    factcheck = (site / "fact-check" / "index.html").read_text()
    for claim in ("tensorflow-faster-training-large-models", "tensorflow-better-large-scale-deployment"):
        block = claim_block(factcheck, claim)
        assert "Scaling out" in block and "../benchmarks/scaling/" in block
    downloads = (site / "benchmarks" / "data" / "index.html").read_text()
    assert "distributed.csv" in downloads and "scaling_efficiency" in downloads
    assert (site / "api" / "distributed.csv").read_text().count("\n") == len(runs())  # header + quiet runs


def test_the_methodology_page_shows_the_distributed_suites_in_words_not_a_repr():
    from generator.bench import methodology as harness
    from generator.site import methodology

    text = methodology.format_value(harness.DISTRIBUTED_SUITES)
    assert "DistributedSuite(" not in text and "DeploySuite(" not in methodology.format_value(harness.DEPLOY_SUITES)
    assert "distributed: Data-parallel training of ResNet-50" in text and "worker counts 1, 2" in text
