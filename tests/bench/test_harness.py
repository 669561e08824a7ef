"""The harness end to end on a tiny fake task: real runner, worker subprocesses and framework adapters.

Failures (crash, timeout, out of memory, an exception) become failed results and the suite goes on; an
interrupted suite keeps every finished result and ``--resume`` completes it; ``--reproduce`` reruns a stored
configuration. Everything is written under tmp_path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.bench import cli, environment
from generator.bench.runner import SuiteRunner
from generator.results.load import validate_results
from generator.results.schema import PerformanceResult, ResultFile, RunConfig
from tests.bench.fake_task import common as fake

pytestmark = pytest.mark.bench

FAKE_TASK = {"ATLAS_TASK_PACKAGES": "image-classification=tests.bench.fake_task"}
FAKE_PARAMETERS = 16 * 32 + 32 + 32 * 4 + 4


def config(batch_size: int = 2, timeout_s: float = 180, **changes: object) -> RunConfig:
    fields = {"suite": "smoke", "task": "image-classification", "framework": "pytorch", "mode": "eager",
              "precision": "fp32", "phase": "inference", "batch_size": batch_size, "device": "cpu",
              "threads": environment.usable_cores(), "inter_op_threads": 1, "shape": fake.SHAPES["smoke"],
              "warmup_steps": 2, "measured_steps": 3, "repeats": 3, "timeout_s": timeout_s}
    return RunConfig(**(fields | changes))


def load_results(folder: Path) -> dict[str, PerformanceResult]:
    """Every result under ``folder``, after checking it as ``invoke validate`` does (schema + plausibility)."""
    problems = [p.format() for p in validate_results(folder) if p.severity == "error"]
    assert not problems, problems
    results = {}
    for path in sorted(folder.rglob("*.json")):
        text = path.read_text()
        ResultFile.model_validate({"result": json.loads(text)})  # what the site's loader accepts
        results[path.name] = PerformanceResult.model_validate_json(text)
    return results


@pytest.fixture(scope="module")
def faulty_suite(tmp_path_factory):
    """One suite whose runs crash, hang, run out of memory, get SIGKILLed, raise — then one that works."""
    results_dir = tmp_path_factory.mktemp("results")
    faults = {3: "crash", 5: "hang", 7: "oom", 9: "kill", 11: "error"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_TASK.items():
            patch.setenv(name, value)
        patch.setenv("ATLAS_FAKE_FAULTS", ",".join(f"{b}={kind}" for b, kind in faults.items()))
        plan = [config(batch_size=b, timeout_s=20 if kind == "hang" else 180) for b, kind in faults.items()]
        plan.append(config(batch_size=2))
        report = SuiteRunner(results_dir, environment.capture_host(["pytest"])).run(plan)
    return results_dir, report


def by_batch(report) -> dict[int, PerformanceResult]:
    return {result.config.batch_size: result for _, result in report.written}


def test_failures_are_recorded_with_their_reason_and_the_suite_goes_on(faulty_suite):
    _, report = faulty_suite
    results = by_batch(report)
    assert not report.interrupted and len(results) == 6
    expected = {3: ("crash", "SIGABRT"), 5: ("timeout", "timeout"), 7: ("oom", "MemoryError"),
                9: ("oom", "SIGKILL"), 11: ("error", "a bug in the model code")}
    for batch_size, (kind, words) in expected.items():
        failure = results[batch_size].failure
        assert results[batch_size].status == "failed" and failure is not None
        assert failure.kind == kind and words in failure.message, (batch_size, failure)
    assert results[2].status == "ok"  # the run after all those failures


def test_every_result_file_validates_failed_ones_included(faulty_suite):
    results_dir, report = faulty_suite
    on_disk = load_results(results_dir)
    assert sorted(on_disk) == sorted(path.name for path, _ in report.written)
    assert not [p for p in results_dir.rglob("*") if p.is_file() and p.suffix != ".json"]  # no temporaries left


def test_a_successful_result_stores_every_raw_time_and_its_environment(faulty_suite):
    _, report = faulty_suite
    result = by_batch(report)[2]
    timing, metrics, env = result.timing, result.metrics, result.environment
    assert timing.synchronised and len(timing.repeat_times_s) == 3 and len(timing.step_times_s) == 9
    assert sum(timing.step_times_s) == pytest.approx(sum(timing.repeat_times_s), rel=0.05)
    assert metrics.parameter_count == FAKE_PARAMETERS
    assert metrics.flops_per_sample == fake.flops_per_sample(fake.SHAPES["smoke"])
    assert metrics.throughput_ci95[0] <= metrics.throughput_samples_per_s <= metrics.throughput_ci95[1]
    assert metrics.memory_kind in ("host-rss-delta", "host-rss")
    assert result.calibration is not None and result.calibration.dtype == "float32"
    assert result.calibration.framework == "pytorch" and result.calibration.peak_flops_per_s > 1e9
    assert metrics.utilisation is not None and 0 < metrics.utilisation < 1
    # One denominator: the machine's peak, the highest of every witness that calibrated on all the cores.
    peak = result.machine_peak
    assert metrics.utilisation_denominator == "machine-peak" and peak is not None
    assert {w.framework for w in peak.witnesses} == {"pytorch", "tensorflow", "numpy"}
    assert peak.peak_flops_per_s == max(w.peak_flops_per_s for w in peak.witnesses)
    assert metrics.utilisation == pytest.approx(metrics.achieved_flops_per_s / peak.peak_flops_per_s)
    threads = str(environment.usable_cores())
    assert env.thread_env["OMP_NUM_THREADS"] == threads and env.thread_env["torch.get_num_threads"] == threads
    assert env.framework_version.startswith("2.") and env.cpu_model and env.git_commit
    assert env.foreign_cpu_share is not None and len(env.load_before) == 3


def test_both_frameworks_every_mode_through_the_cli_then_reproduce(tmp_path, monkeypatch):
    for name, value in FAKE_TASK.items():
        monkeypatch.setenv(name, value)
    args = ["--suite", "smoke", "--task", "image-classification", "--precision", "fp32", "--results-dir",
            str(tmp_path)]
    assert cli.main(args) == 0
    results = load_results(tmp_path)
    runs = {(r.config.framework, r.config.mode, r.config.phase) for r in results.values() if r.status == "ok"}
    assert runs == {("pytorch", "eager", "train"), ("pytorch", "compiled", "inference"),
                    ("tensorflow", "eager", "train"), ("tensorflow", "graph", "inference"),
                    ("tensorflow", "compiled", "inference")}
    tf_result = next(r for r in results.values() if r.config.framework == "tensorflow" and r.config.mode == "compiled")
    assert tf_result.config.xla and tf_result.metrics.compile_s is not None
    assert tf_result.environment.thread_env["tf.config.threading.intra_op"] == str(environment.usable_cores())

    original = next(tmp_path.rglob("*tensorflow.cpu.graph*.json"))
    assert cli.main(["--reproduce", str(original), "--results-dir", str(tmp_path)]) == 0
    again = [r for name, r in load_results(tmp_path).items() if name.startswith(original.stem + ".r")]
    assert len(again) == 1 and again[0].status == "ok"
    assert again[0].config == PerformanceResult.model_validate_json(original.read_text()).config


def test_dry_run_lists_the_plan_and_writes_nothing(tmp_path, monkeypatch, capsys):
    for name, value in FAKE_TASK.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["--suite", "standard", "--task", "image-classification", "--dry-run",
                     "--results-dir", str(tmp_path)]) == 0
    assert "runs" in capsys.readouterr().err and not any(tmp_path.iterdir())


@pytest.mark.skipif(bool(environment.gpus()), reason="this machine has a GPU")
def test_gpu_runs_are_skipped_with_a_message_without_a_gpu(tmp_path, capsys):
    assert cli.main(["--device", "cuda", "--suite", "full", "--results-dir", str(tmp_path)]) == 0
    assert "no NVIDIA GPU" in capsys.readouterr().err and not any(tmp_path.iterdir())


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_suite_loses_nothing_finished_and_resume_completes_it(tmp_path, stop_signal):
    args = [sys.executable, "-m", "generator.cli", "bench", "--suite", "standard", "--task", "image-classification",
            "--framework", "pytorch", "--mode", "eager", "--precision", "fp32", "--results-dir", str(tmp_path),
            "--quiet-wait", "0"]
    env = os.environ | FAKE_TASK | {"ATLAS_FAKE_SLEEP_S": "4"}
    suite = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list(tmp_path.rglob("*.json")) and time.monotonic() < deadline and suite.poll() is None:
        time.sleep(0.05)
    suite.send_signal(stop_signal)
    _, stderr = suite.communicate(timeout=60)
    assert suite.returncode == cli.EXIT_INTERRUPTED, stderr
    assert "--resume" in stderr
    finished = {path: path.read_bytes() for path in tmp_path.rglob("*.json")}
    assert 1 <= len(finished) < 3  # three runs planned: stopped in the middle
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".json"]
    load_results(tmp_path)

    resumed = subprocess.run([*args, "--resume"], env=os.environ | FAKE_TASK, capture_output=True, text=True,
                             timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr
    results = load_results(tmp_path)
    assert len(results) == 3 and all(r.status == "ok" for r in results.values())
    assert all(path.read_bytes() == content for path, content in finished.items())  # kept, not redone
