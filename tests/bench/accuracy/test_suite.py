"""The accuracy suite end to end, one epoch and one seed, into a temporary results folder."""

from __future__ import annotations

import json

import pytest
import tensorflow  # noqa: F401 - the bench extra is required: a missing framework fails loudly
import torch  # noqa: F401 - the bench extra is required: a missing framework fails loudly

from generator.bench.accuracy import run_suite
from generator.bench.accuracy.runner import run_one
from generator.bench.accuracy.spec import TrainConfig
from generator.bench.accuracy.stats import summarise
from generator.bench.environment import capture_host
from generator.results.load import load_results
from generator.results.schema import Status

pytestmark = [pytest.mark.bench, pytest.mark.slow]


def test_one_epoch_suite_writes_valid_paired_results(tmp_path):
    lines: list[str] = []
    assert run_suite(tmp_path, ["tensorflow", "pytorch"], seeds=1, epochs=1, resume=False, log=lines.append) == 0
    files = sorted(tmp_path.rglob("*.json"))
    assert len(files) == 2 and files[0].parent.parent == tmp_path  # <results>/<machine-slug>/<id>.json
    loaded = load_results(tmp_path)
    assert not [p for p in loaded.problems if p.severity == "error"], [p.format() for p in loaded.problems]
    runs = {r.framework: r for r in loaded.accuracy}
    assert set(runs) == {"tensorflow", "pytorch"}
    for run in runs.values():
        assert run.status is Status.ok and len(run.epochs) == 1 and run.config["epochs"] == 1
        assert 0.1 < run.final_test_accuracy <= 1.0 and run.environment.framework_version
        assert run.environment.thread_env["OMP_NUM_THREADS"] == "1"
    tf, pt = runs["tensorflow"], runs["pytorch"]
    assert tf.config["init_weights_sha256"] == pt.config["init_weights_sha256"]
    assert tf.config["data_sha256"] == pt.config["data_sha256"]
    assert abs(tf.initial_loss - pt.initial_loss) <= 1e-5
    comparison = summarise(loaded.results)
    assert comparison.test.paired and comparison.test.n == 1
    assert comparison.verdict.startswith("Too few seeds")
    assert set(comparison.frameworks) == {"tensorflow", "pytorch"}

    # resume keeps the stored runs instead of training again
    assert run_suite(tmp_path, ["tensorflow", "pytorch"], seeds=1, epochs=1, resume=True, log=lines.append) == 0
    assert sorted(tmp_path.rglob("*.json")) == files
    assert any("kept" in line for line in lines)


def test_a_crashing_worker_becomes_a_failed_result(tmp_path):
    bad = tmp_path / "not-weights.npz"
    bad.write_bytes(b"this is not an npz file")
    result = run_one(capture_host([]), TrainConfig(epochs=1), "pytorch", 0, bad, "0" * 64, tmp_path, timeout_s=120)
    assert result.status is Status.failed and result.failure.kind.value == "crash"
    assert "exited with" in result.failure.message
    json.loads(result.model_dump_json())  # it is written like any other result
