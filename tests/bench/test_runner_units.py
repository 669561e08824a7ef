"""Runner pieces that need no framework: atomic writes, failure classification, equal worker environments."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from generator.bench import runner
from generator.results.schema import FailureKind, RunConfig

CONFIG = {"suite": "smoke", "task": "image-classification", "mode": "eager", "precision": "fp32",
          "phase": "inference", "batch_size": 1, "device": "cpu", "threads": 2, "inter_op_threads": 1,
          "warmup_steps": 1, "measured_steps": 1, "repeats": 1, "timeout_s": 10}


def test_write_atomic_replaces_whole_files_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "machine" / "result.json"
    runner.write_atomic(target, "first")
    runner.write_atomic(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["result.json"]


def test_a_write_that_fails_midway_keeps_the_old_file(tmp_path: Path, monkeypatch):
    target = tmp_path / "result.json"
    runner.write_atomic(target, "old")

    def broken_replace(src, dst):
        raise KeyboardInterrupt  # e.g. Ctrl-C between writing and renaming

    monkeypatch.setattr(runner.os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        runner.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


@pytest.mark.parametrize(
    ("returncode", "kind", "words"),
    [
        (None, FailureKind.timeout, "timeout"),
        (-signal.SIGKILL, FailureKind.oom, "out-of-memory"),
        (-signal.SIGSEGV, FailureKind.crash, "SIGSEGV"),
        (1, FailureKind.crash, "status 1"),
    ],
)
def test_a_dead_worker_is_classified_from_its_exit_status(returncode, kind, words):
    failure = runner.failure_of(runner.WorkerOutcome(None, returncode, "Traceback: boom"), timeout_s=30)
    assert failure.kind == kind and words in failure.message and "boom" in failure.message


def test_a_worker_report_of_its_own_failure_is_kept():
    outcome = runner.WorkerOutcome({"status": "failed", "failure": {"kind": "unsupported", "message": "no bf16"}}, 3, "")
    assert runner.failure_of(outcome, 30).kind == FailureKind.unsupported


def test_failure_messages_fit_the_schema():
    failure = runner.failure_of(runner.WorkerOutcome(None, 1, "x" * 10_000), timeout_s=30)
    assert len(failure.message) <= 4000


def test_both_frameworks_get_the_same_thread_environment():
    envs = [runner.worker_env(RunConfig(framework=f, **CONFIG)) for f in ("pytorch", "tensorflow")]
    names = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
    assert [{n: env[n] for n in names} for env in envs] == [{"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2",
                                                              "TF_NUM_INTRAOP_THREADS": "2",
                                                              "TF_NUM_INTEROP_THREADS": "1"}] * 2
    assert all(env["CUDA_VISIBLE_DEVICES"] == "" for env in envs)  # a CPU run never touches a GPU
