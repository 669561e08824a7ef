"""The distributed-smoke suite end to end on ResNet (smoke shapes): both engines at 1 and 2 workers, real launchers.

What each run must show: the framework's own engine and launcher, each worker on its own cores, the 2-worker
weights equal to the 1-worker weights after one step (the equivalence check), timing for every worker, and a result
the site's loader accepts.
"""

from __future__ import annotations

import json

import pytest

from generator.bench import cli, methodology
from generator.bench.distributed.runner import CACHE_DIR
from generator.results.load import load_results
from generator.results.schema import DistributedResult, ScalingKind, Status

pytestmark = [pytest.mark.bench, pytest.mark.slow]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    results_dir = tmp_path_factory.mktemp("distributed-results")
    assert cli.main(["--suite", "distributed-smoke", "--task", "image-classification", "--results-dir",
                     str(results_dir), "--quiet-wait", "0"]) == 0
    return results_dir, [DistributedResult.model_validate_json(p.read_text()) for p in results_dir.rglob("*.json")]


def test_both_engines_ran_at_1_and_2_workers_in_both_scaling_kinds(smoke):
    _, results = smoke
    assert {(r.config.framework, r.config.workers, r.config.scaling) for r in results} == {
        (framework, workers, scaling) for framework in ("pytorch", "tensorflow")
        for workers, scaling in ((1, ScalingKind.baseline), (2, ScalingKind.strong), (2, ScalingKind.weak))}
    assert [(r.result_id, r.failure) for r in results if r.status is not Status.ok] == []
    engines = {r.config.framework: (r.config.engine, r.config.launcher, r.config.backend) for r in results}
    assert engines["pytorch"][0].endswith("DistributedDataParallel") and engines["pytorch"][2] == "gloo"
    assert engines["tensorflow"][0].endswith("MultiWorkerMirroredStrategy") and "TF_CONFIG" in engines["tensorflow"][1]


def test_the_2_worker_weights_equal_the_1_worker_weights_after_one_step(smoke):
    _, results = smoke
    for result in results:
        check = result.equivalence
        if result.config.workers == 1:
            assert check is None
            continue
        assert check.passed, result.result_id
        assert check.initial_max_abs_diff == 0.0  # the same seeded weights in both runs
        assert check.max_rel_diff <= methodology.DISTRIBUTED_EQUIVALENCE_RTOL
        assert check.tensors > 50  # every weight of the network, not a sample of them


def test_every_worker_is_timed_on_its_own_cores(smoke):
    _, results = smoke
    for result in results:
        c, timing = result.config, result.timing
        assert len(timing.worker_repeat_times_s) == c.workers
        assert all(len(times) == c.repeats for times in timing.worker_repeat_times_s)
        assert c.threads_per_worker * c.workers <= result.environment.cpu_cores_logical
        assert result.environment.thread_env["OMP_NUM_THREADS"] == str(c.threads_per_worker)
        assert result.metrics.startup_s > 0 and result.metrics.throughput_samples_per_s > 0
        if c.framework == "pytorch":
            assert result.metrics.communication_share is not None
        else:
            assert result.metrics.communication_share is None
            assert "not exposed" in result.metrics.communication_note
    folders = [p for p in (CACHE_DIR / "distributed-smoke").glob("image-classification.*.2w.*") if p.is_dir()]
    assert folders
    for folder in folders:
        cores = [set(json.loads((folder / f"rank-{rank}.json").read_text())["cores"]) for rank in (0, 1)]
        assert cores[0] and cores[1] and not cores[0] & cores[1], folder


def test_the_results_validate_as_contributed_results_do(smoke):
    results_dir, results = smoke
    loaded = load_results(results_dir, include_busy=True)
    assert [p.format() for p in loaded.problems if p.severity == "error"] == []
    assert len(loaded.distributed) == len(results) == 6
    frame = loaded.distributed_frame
    assert frame[frame.workers == 2].scaling_efficiency.notna().all()


def test_resume_keeps_every_stored_run(smoke):
    results_dir, results = smoke
    assert cli.main(["--suite", "distributed-smoke", "--task", "image-classification", "--results-dir",
                     str(results_dir), "--quiet-wait", "0", "--resume"]) == 0
    assert len(list(results_dir.rglob("*.json"))) == len(results)
