"""Every way a deployment cell can fail becomes the right result, and the suite goes on.

The fake paths (``fake_paths.py``) break one step of the real torch.export path on the tiny fake task: a
converter that raises, a missing converter package, an artifact that will not load, a runtime that kills its
process, outputs that are wrong (fp32: a failure; int8: reported drift), and one that works, run last to show
that the suite went on.
"""

from __future__ import annotations

import json

import pytest

from generator.bench import environment
from generator.bench.deploy import runner as deploy_runner
from generator.results.load import load_results
from generator.results.schema import DeploymentResult, DeployOutcome, DeployStage, FailureKind, ResultFile
from tests.bench.deploy import fake_paths

pytestmark = pytest.mark.bench


@pytest.fixture(scope="module")
def fake_suite(tmp_path_factory):
    results_dir, cache = tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATLAS_TASK_PACKAGES", "image-classification=tests.bench.fake_task")
        patch.setenv("ATLAS_DEPLOY_PATHS", fake_paths.OVERRIDE)
        host = environment.capture_host(["atlas", "bench", "--suite", "deploy-smoke"])
        plan = deploy_runner.build_plan("deploy-smoke", host, tasks=("image-classification",),
                                        paths=tuple(fake_paths.FAKE_IDS), timeout_s=240)
        report = deploy_runner.DeployRunner(results_dir, host, cache_dir=cache).run(plan)
    return results_dir, {result.config.path: result for _, result in report.written}


def test_every_fake_path_ran_and_the_suite_went_on(fake_suite):
    _, results = fake_suite
    assert list(results) == fake_paths.FAKE_IDS  # in plan order, the working path last
    assert results["fake-works"].outcome is DeployOutcome.ok


def test_results_validate_like_contributed_ones(fake_suite):
    results_dir, results = fake_suite
    resultset = load_results(results_dir)
    assert [p.format() for p in resultset.problems if p.severity == "error"] == []
    assert len(resultset.deployment) == len(results)
    for path in results_dir.rglob("*.json"):
        ResultFile.model_validate({"result": json.loads(path.read_text())})


def test_a_converter_that_raises_is_an_export_failure_with_its_first_line_and_command(fake_suite):
    result = fake_suite[1]["fake-raises"]
    assert result.outcome is DeployOutcome.export_failed
    assert result.failure.stage is DeployStage.export and result.failure.kind is FailureKind.error
    assert result.failure.message == "RuntimeError: fake converter: unsupported operator aten::frobnicate"
    assert "second line of the error" in result.failure.detail
    assert result.failure.reproduce == ("atlas bench --suite deploy-smoke --task image-classification "
                                        "--path fake-raises")
    assert result.cost is None and result.fidelity is None


def test_a_missing_package_is_not_installable_with_the_install_command(fake_suite):
    result = fake_suite[1]["fake-missing"]
    assert result.outcome is DeployOutcome.not_installable
    assert result.failure.stage is DeployStage.install
    assert "atlas_converter_that_does_not_exist" in result.failure.message
    assert "pip install atlas-converter" in result.failure.message


def test_an_artifact_that_will_not_load_is_a_runtime_failure_at_load(fake_suite):
    result = fake_suite[1]["fake-load-fails"]
    assert result.outcome is DeployOutcome.runtime_failed
    assert result.failure.stage is DeployStage.load
    assert "newer than this runtime" in result.failure.message


def test_a_runtime_that_kills_its_process_is_a_crash_and_the_suite_goes_on(fake_suite):
    result = fake_suite[1]["fake-crashes"]
    assert result.outcome is DeployOutcome.runtime_failed
    assert result.failure.kind is FailureKind.crash and result.failure.stage is DeployStage.run
    assert "SIGABRT" in result.failure.message


def test_wrong_fp32_outputs_are_outputs_differ_with_the_measured_difference(fake_suite):
    result = fake_suite[1]["fake-wrong"]
    assert result.outcome is DeployOutcome.outputs_differ
    assert result.failure is None and result.fidelity is not None
    assert result.fidelity.max_abs_diff == pytest.approx(1.0, rel=1e-5)
    assert not result.fidelity.within_tolerance and result.fidelity.tolerance.enforced
    assert result.cost is not None  # it ran: its cost is known, only its answers are wrong


def test_int8_drift_is_reported_not_failed(fake_suite):
    result = fake_suite[1]["fake-int8-drift"]
    assert result.outcome is DeployOutcome.ok
    assert result.fidelity.max_abs_diff == pytest.approx(1.0, rel=1e-5)
    assert not result.fidelity.tolerance.enforced


def test_an_ok_cell_records_fidelity_cost_and_versions(fake_suite):
    result: DeploymentResult = fake_suite[1]["fake-works"]
    assert result.fidelity.max_abs_diff == 0.0 and result.fidelity.top1_agreement == 1.0
    cost = result.cost
    assert len(cost.latency_step_times_s) == result.config.latency_repeats * result.config.latency_steps
    assert cost.latency_ms_p50 <= cost.latency_ms_p90 <= cost.latency_ms_p99
    assert cost.throughput_samples_per_s > 0 and len(cost.throughput_repeat_times_s) == 2
    assert cost.artifact_bytes > 0 and cost.peak_rss_mb > 0 and cost.export_s > 0
    assert "torch" in result.versions
    assert result.environment.thread_env["OMP_NUM_THREADS"] == str(result.config.threads)


def test_resume_skips_identical_cells_and_a_new_version_is_a_new_result(fake_suite, monkeypatch):
    results_dir, results = fake_suite
    host = environment.capture_host()
    config = results["fake-works"].config
    monkeypatch.setenv("ATLAS_DEPLOY_PATHS", fake_paths.OVERRIDE)
    same = deploy_runner.result_id(config, host)
    assert same == results["fake-works"].result_id
    real_versions = deploy_runner.installed_versions
    monkeypatch.setattr(deploy_runner, "installed_versions", lambda c: {**real_versions(c), "torch": "99.0"})
    assert deploy_runner.result_id(config, host) != same
