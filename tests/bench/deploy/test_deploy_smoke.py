"""The deploy-smoke suite end to end: every path on every model at the smoke shapes, real converters and runtimes.

What each cell must show: an ok fp32 path reproduces its source model (within the fp32 tolerance, every top-1
class or ≥ 99% of the boxes); int8 reports its drift; a path that fails says where, why and how to rerun it. The
known converter failures are listed here on purpose: when a new converter release fixes one (or breaks another),
this test fails and the list — and the page's story — must be updated.
"""

from __future__ import annotations

import json

import pytest

from generator.bench import cli, environment
from generator.bench.deploy import runner as deploy_runner
from generator.bench.deploy.paths import PATHS
from generator.bench.workloads.base import TASK_PACKAGES
from generator.results.load import load_results
from generator.results.schema import DeploymentResult, DeployOutcome, ResultFile

pytestmark = [pytest.mark.bench, pytest.mark.slow]

# (task, path) -> a phrase of the recorded failure message. tf2onnx 1.17 writes TensorFlow's Erfc op (exact GELU)
# into the graph as-is, and ONNX defines no Erfc: ONNX's checker rejects the model at export.
KNOWN_FAILURES = {("sentiment-analysis", "tf-onnx"): "No Op registered for Erfc"}


@pytest.fixture(scope="module")
def smoke_results(tmp_path_factory):
    results_dir = tmp_path_factory.mktemp("deploy-results")
    assert cli.main(["--suite", "deploy-smoke", "--results-dir", str(results_dir), "--quiet-wait", "0"]) == 0
    return results_dir, [DeploymentResult.model_validate_json(p.read_text()) for p in results_dir.rglob("*.json")]


def test_every_path_of_every_model_has_a_result(smoke_results):
    _, results = smoke_results
    cells = {(r.config.task, r.config.path) for r in results}
    assert cells == {(task, path) for task in TASK_PACKAGES for path in PATHS}
    expected = deploy_runner.build_plan("deploy-smoke", environment.capture_host())
    assert len(results) == len(expected) == 27


def test_the_results_validate_as_contributed_results_do(smoke_results):
    results_dir, results = smoke_results
    loaded = load_results(results_dir, include_busy=True)
    assert [p.format() for p in loaded.problems if p.severity == "error"] == []
    assert len(loaded.deployment) == len(results)
    for path in results_dir.rglob("*.json"):
        ResultFile.model_validate({"result": json.loads(path.read_text())})


def test_ok_fp32_paths_reproduce_their_source_model(smoke_results):
    _, results = smoke_results
    for result in results:
        if result.outcome is not DeployOutcome.ok or result.config.precision != "fp32":
            continue
        f = result.fidelity
        where = f"{result.config.task} {result.config.path}"
        assert f.within_tolerance, where
        assert f.max_rel_diff <= 1e-3, where
        if f.top1_agreement is not None:
            assert f.top1_agreement == 1.0, where
        else:
            assert f.box_agreement >= 0.99 and f.source_boxes > 0, where  # boxes exist: the check compares something


def test_int8_reports_its_drift(smoke_results):
    _, results = smoke_results
    int8 = [r for r in results if r.config.precision == "int8-dynamic"]
    assert len(int8) == len(TASK_PACKAGES)
    for result in int8:
        assert result.outcome is DeployOutcome.ok
        assert result.fidelity.max_abs_diff > 0 and not result.fidelity.tolerance.enforced


def test_only_the_known_converter_failures_fail_and_they_say_why(smoke_results):
    _, results = smoke_results
    failed = {(r.config.task, r.config.path): r for r in results if r.outcome is not DeployOutcome.ok}
    assert set(failed) == set(KNOWN_FAILURES), {k: r.failure.message if r.failure else r.outcome
                                                for k, r in failed.items()}
    for cell, phrase in KNOWN_FAILURES.items():
        failure = failed[cell].failure
        assert phrase in failure.message
        assert failure.reproduce == f"atlas bench --suite deploy-smoke --task {cell[0]} --path {cell[1]}"


def test_costs_are_recorded_for_every_working_cell(smoke_results):
    _, results = smoke_results
    for result in results:
        if result.cost is None:
            continue
        cost = result.cost
        assert cost.artifact_bytes > 1000 and cost.load_s >= 0 and cost.peak_rss_mb > 10
        static = result.config.path in ("torch-litert", "torch-executorch")
        assert (cost.throughput_samples_per_s is None) == static, result.config.path
        assert (cost.throughput_note is not None) == static
        framework = {"pytorch": {"torch"}, "tensorflow": {"tensorflow", "tensorflow-cpu"}}[
            result.config.source_framework]
        assert framework & set(result.versions), result.versions
