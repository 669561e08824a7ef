"""The smoke suite end to end on the real tasks: every code path, both frameworks, valid results."""

from __future__ import annotations

import json

import pytest

from generator.bench import cli, environment, plan
from generator.bench.workloads.base import TASK_PACKAGES
from generator.results.schema import PerformanceResult, ResultFile

pytestmark = [pytest.mark.bench, pytest.mark.slow]


def test_smoke_suite_produces_valid_results_for_both_frameworks_and_every_task(tmp_path):
    assert cli.main(["--suite", "smoke", "--device", "cpu", "--results-dir", str(tmp_path)]) == 0
    results = []
    for path in tmp_path.rglob("*.json"):
        ResultFile.model_validate({"result": json.loads(path.read_text())})
        results.append(PerformanceResult.model_validate_json(path.read_text()))
    expected = plan.build_plan("smoke", "cpu", environment.capture_host())
    assert len(results) == len(expected)
    failed = [(r.result_id, r.failure) for r in results if r.status != "ok"]
    assert not failed
    assert {r.config.framework for r in results} == {"pytorch", "tensorflow"}
    assert {r.config.task for r in results} == set(TASK_PACKAGES)
    assert {r.config.mode for r in results} == {"eager", "graph", "compiled"}
    assert {r.config.phase for r in results} == {"train", "inference"}
    for result in results:
        assert result.metrics.flops_per_sample > 0 and result.metrics.parameter_count > 0
        assert result.calibration is not None
