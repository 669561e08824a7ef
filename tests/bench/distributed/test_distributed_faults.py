"""Faults: a worker SIGKILLed mid-run, or a run past its timeout, ends as a recorded failure within the timeout, no
process of the run is left behind, and the suite goes on to the next run."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from generator.bench import environment
from generator.bench.distributed import runner as distributed_runner
from generator.bench.distributed.worker import KILL_ENV
from generator.results.schema import DistributedStage, FailureKind, ScalingKind, Status

pytestmark = [pytest.mark.bench, pytest.mark.slow]
MARK_ENV = "ATLAS_TEST_DISTRIBUTED_MARK"


def _alive_with(mark: str) -> list[int]:
    """Processes (other than this one) that inherited the test's mark: any worker or launcher still alive."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and f"{MARK_ENV}={mark}".encode() in environ:
            found.append(int(entry.name))
    return found


@pytest.fixture
def marked(monkeypatch):
    mark = uuid.uuid4().hex
    monkeypatch.setenv(MARK_ENV, mark)
    return mark


def _plan(framework: str, **changes):
    plan = distributed_runner.build_plan("distributed-smoke", environment.capture_host(),
                                         tasks=("sentiment-analysis",), frameworks=(framework,))
    by_kind = {config.scaling: config.model_copy(update=changes) for config in plan}
    return by_kind[ScalingKind.strong], by_kind[ScalingKind.baseline]


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow"])
def test_a_worker_killed_mid_run_is_a_recorded_failure_and_the_suite_goes_on(tmp_path, monkeypatch, marked,
                                                                            framework):
    monkeypatch.setenv(KILL_ENV, "1:1")  # rank 1 SIGKILLs itself at its second timed step
    timeout_s = 120.0
    strong, baseline = _plan(framework, timeout_s=timeout_s)
    started = time.monotonic()
    report = distributed_runner.DistributedRunner(tmp_path / "results", environment.capture_host(),
                                                  cache_dir=tmp_path / "cache").run([strong, baseline])
    elapsed = time.monotonic() - started
    [(_, killed), (_, next_run)] = report.written
    assert killed.status is Status.failed
    assert killed.failure.stage is DistributedStage.train and killed.failure.kind is FailureKind.crash
    assert "SIGKILL" in killed.failure.message and killed.failure.detail
    assert killed.reproduce.startswith("atlas bench --suite distributed-smoke")
    assert (killed.finished_at - killed.started_at).total_seconds() < timeout_s
    assert next_run.status is Status.ok  # the 1-worker run after it (rank 1 does not exist there)
    assert elapsed < 2 * timeout_s
    assert _alive_with(marked) == []
    assert report.warnings == []


def test_a_run_past_its_timeout_is_killed_whole_and_recorded(tmp_path, marked):
    strong, _ = _plan("tensorflow", timeout_s=4.0)  # TensorFlow's import alone takes longer on 2 cores
    started = time.monotonic()
    report = distributed_runner.DistributedRunner(tmp_path / "results", environment.capture_host(),
                                                  cache_dir=tmp_path / "cache").run([strong])
    [(path, result)] = report.written
    assert time.monotonic() - started < 4.0 + 15.0
    assert result.status is Status.failed and result.failure.kind is FailureKind.timeout
    assert result.failure.stage is DistributedStage.startup
    assert path.exists()
    assert _alive_with(marked) == []


def test_a_reference_that_cannot_be_read_fails_the_check_instead_of_the_suite(tmp_path, monkeypatch):
    """A corrupt 1-worker reference (a disk filled mid-write, say) is a failed run at the equivalence stage."""
    strong, baseline = _plan("pytorch")
    runner = distributed_runner.DistributedRunner(tmp_path / "results", environment.capture_host(),
                                                  cache_dir=tmp_path / "cache")
    reference = runner.folder(distributed_runner.baseline_of(strong))
    reference.mkdir(parents=True)
    for name in ("weights-initial.npz", "weights-after-check.npz"):
        (reference / name).write_bytes(b"not an npz archive")
    [(_, result)] = runner.run([strong]).written
    assert result.status is Status.failed and result.failure.stage is DistributedStage.equivalence
    assert "could not be compared" in result.failure.message
