"""Deployment verdicts: deploy-coverage and deploy-latency evaluated against synthetic deployment cells, and the
validation of a deployment comparison."""

from __future__ import annotations

import pytest

from generator.kb.models import Claim
from generator.kb.validate import main
from generator.results.load import ResultSet
from generator.site.verdicts import Outcome, claim_verdicts
from tests.results.deployment_factory import TF_PATHS, TORCH_PATHS, cell, matrix

from .tiny_kb import edit, line_of

NAMES = {"tensorflow": "TensorFlow", "pytorch": "PyTorch"}
CLAIM = "claims/pytorch-is-pythonic.yaml"
ON_DEVICE = ["tf-litert-fp32", "tf-litert-int8", "torch-litert", "torch-executorch"]


def verdict_of(cells, **compares):
    claim = Claim(id="the-claim", quote="q", section="Deployment Capabilities", status="unverified", evidence="e",
                  measured_by=["deployment"], compares=compares, last_reviewed="2026-11-01")
    return claim_verdicts(claim, ResultSet(results=list(cells)), NAMES)


def only_task(verdict):
    (machine,) = verdict.machines
    (task,) = machine.tasks
    assert machine.outcome is task.outcome or not task.in_scope
    return task


@pytest.mark.parametrize(
    ("failing", "compares", "expected"),
    [
        ({"torch-litert": "export-failed"}, {"favours": "tensorflow"}, Outcome.holds),
        ({"torch-litert": "export-failed"}, {"favours": "pytorch"}, Outcome.does_not_hold),
        ({}, {"favours": "tensorflow"}, Outcome.too_close),  # equal shares: the data cannot tell
        ({"tf-onnx": "runtime-failed"}, {"within_percent": 30}, Outcome.holds),  # 75% against 100%
        ({"tf-onnx": "runtime-failed"}, {"within_percent": 10}, Outcome.does_not_hold),
    ],
)
def test_coverage_compares_each_frameworks_share_of_working_paths(failing, compares, expected):
    task = only_task(verdict_of(matrix(failing), metric="deploy-coverage", **compares))
    assert task.outcome is expected


def test_coverage_shows_n_of_m_cells_and_each_failed_cells_path_and_first_error_line():
    cells = matrix({"torch-litert": "export-failed", "torch-executorch": "outputs-differ"},
                   tasks=("image-classification", "object-detection"))
    cells = [c for c in cells if not (c.config.path == "torch-litert" and c.config.task == "object-detection")]
    cells.append(cell("torch-litert", "object-detection", "not-installable",
                      message="ai-edge-torch needs torch<2.13\nthe rest of the resolver's output"))
    task = only_task(verdict_of(cells, metric="deploy-coverage", favours="tensorflow"))
    assert task.outcome is Outcome.holds
    assert [side.text(NAMES) for side in task.sides] == [
        f"TensorFlow {2 * len(TF_PATHS)} of {2 * len(TF_PATHS)} cells work (100%)",
        f"PyTorch {2 * len(TORCH_PATHS) - 4} of {2 * len(TORCH_PATHS)} cells work (60%)"]
    assert "torch-litert (ResNet-50): synthetic: the converter raised" in task.detail
    assert "torch-litert (YOLOv8n): ai-edge-torch needs torch<2.13" in task.detail
    assert "resolver" not in task.detail  # the first line only
    assert "torch-executorch (ResNet-50): outputs-differ (max relative difference 0.05)" in task.detail


def test_coverage_counts_only_the_paths_the_claim_names():
    cells = matrix({"torch-litert": "export-failed"})
    everywhere = only_task(verdict_of(cells, metric="deploy-coverage", favours="tensorflow"))
    onnx = only_task(verdict_of(cells, metric="deploy-coverage", favours="tensorflow", paths=["tf-onnx", "torch-onnx"]))
    assert everywhere.outcome is Outcome.holds and onnx.outcome is Outcome.too_close
    assert [side.text(NAMES) for side in onnx.sides] == ["TensorFlow 1 of 1 cells work (100%)",
                                                         "PyTorch 1 of 1 cells work (100%)"]
    on_device = only_task(verdict_of(cells, metric="deploy-coverage", favours="tensorflow", paths=ON_DEVICE))
    assert [side.text(NAMES) for side in on_device.sides] == ["TensorFlow 2 of 2 cells work (100%)",
                                                              "PyTorch 1 of 2 cells work (50%)"]


def test_smoke_and_busy_cells_never_count():
    quiet = matrix()  # every path works
    later = dict(finished_at=quiet[0].finished_at.replace(hour=18))
    noise = ([cell(path, "image-classification", "export-failed", busy=True, **later) for path in TORCH_PATHS]
             + [cell(path, "image-classification", "export-failed", suite="deploy-smoke", **later)
                for path in TORCH_PATHS]
             + [cell(path, "sentiment-analysis", "export-failed", suite="deploy-smoke", hostname_hash="smoke01")
                for path in TF_PATHS + TORCH_PATHS])
    verdict = verdict_of(quiet + noise, metric="deploy-coverage", favours="tensorflow")
    assert only_task(verdict).outcome is Outcome.too_close  # 100% each: the failing busy/smoke cells are ignored
    assert len(verdict.machines) == 1  # the smoke-only machine is not a measured machine


def test_without_deploy_cells_nothing_is_measured():
    verdict = verdict_of(matrix(suite="deploy-smoke"), metric="deploy-coverage", favours="tensorflow")
    assert verdict.machines == () and verdict.measured == []
    assert verdict.disagreement("supported") is None


def test_a_claim_about_gpus_is_not_settled_by_cpu_cells():
    verdict = verdict_of(matrix({"torch-onnx": "export-failed"}), metric="deploy-coverage", favours="tensorflow",
                         scope={"devices": ["cuda"]})
    task = only_task(verdict)
    assert verdict.machines[0].outcome is Outcome.not_measured and task.outcome is Outcome.holds and not task.in_scope


def latency_cells(tensorflow_ms: float, pytorch_ms: float):
    """Each framework's fastest fp32 path at the given latency, its other paths slower; decoys that must not win:
    a faster int8 cell and a failed cell."""
    cells = [cell(path, latency_ms=3 * max(tensorflow_ms, pytorch_ms)) for path in TF_PATHS + TORCH_PATHS
             if path not in ("tf-litert-fp32", "torch-aoti", "tf-litert-int8", "torch-onnx")]
    return cells + [cell("tf-litert-fp32", latency_ms=tensorflow_ms), cell("torch-aoti", latency_ms=pytorch_ms),
                    cell("tf-litert-int8", latency_ms=tensorflow_ms / 10), cell("torch-onnx", outcome="runtime-failed")]


@pytest.mark.parametrize(
    ("tensorflow_ms", "pytorch_ms", "compares", "expected"),
    [
        (4.0, 8.0, {"favours": "tensorflow"}, Outcome.holds),
        (4.0, 8.0, {"favours": "pytorch"}, Outcome.does_not_hold),
        (8.0, 8.04, {"favours": "tensorflow"}, Outcome.too_close),  # the 95% intervals overlap
        (8.0, 8.04, {"within_percent": 10}, Outcome.holds),
    ],
)
def test_latency_compares_the_fastest_working_fp32_paths(tensorflow_ms, pytorch_ms, compares, expected):
    task = only_task(verdict_of(latency_cells(tensorflow_ms, pytorch_ms), metric="deploy-latency", **compares))
    assert task.outcome is expected
    sides = {side.framework: side for side in task.sides}
    assert (sides["tensorflow"].mode, sides["pytorch"].mode) == ("tf-litert-fp32", "torch-aoti")  # not int8
    assert sides["tensorflow"].value == pytest.approx(1000 / tensorflow_ms)
    assert all(side.low < side.value < side.high for side in sides.values())
    assert " calls/s [" in sides["pytorch"].text(NAMES)


def test_latency_names_the_winning_path_and_the_ratio():
    task = only_task(verdict_of(latency_cells(4.0, 8.0), metric="deploy-latency", favours="tensorflow"))
    assert task.detail.startswith("TensorFlow 2.00× faster; batch 1, fp32")
    assert "fastest: tf-litert-fp32 (TensorFlow)" in task.detail


def test_latency_within_the_named_paths_only():
    cells = latency_cells(4.0, 8.0)
    task = only_task(verdict_of(cells, metric="deploy-latency", favours="tensorflow", paths=["tf-onnx", "torch-aoti"]))
    assert {side.mode for side in task.sides} == {"tf-onnx", "torch-aoti"}
    assert task.outcome is Outcome.does_not_hold  # tf-onnx runs at 24 ms here, torch-aoti at 8 ms


def test_latency_without_a_working_fp32_path_is_not_measured_per_model():
    cells = latency_cells(4.0, 8.0) + [cell(path, "object-detection", "export-failed") for path in TORCH_PATHS] + [
        cell(path, "object-detection") for path in TF_PATHS]
    verdict = verdict_of(cells, metric="deploy-latency", favours="tensorflow")
    (machine,) = verdict.machines
    outcomes = {task.task: task.outcome for task in machine.tasks}
    assert outcomes == {"image-classification": Outcome.holds, "object-detection": Outcome.not_measured}
    assert machine.outcome is Outcome.holds


def test_a_deployment_comparison_needs_no_phase(kb_dir, capsys):
    edit(kb_dir, CLAIM, "compares:\n  metric: throughput\n  phase: train\n  within_percent: 50",
         "compares: {metric: deploy-coverage, favours: tensorflow, paths: [tf-onnx, torch-onnx]}")
    assert main(["--data", str(kb_dir)]) == 0
    assert "0 errors" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("compares", "message"),
    [
        ("{metric: deploy-coverage, favours: pytorch, paths: [torch-tflite]}",
         "unknown export path 'torch-tflite' — Tip: use path ids of generator/bench/deploy/paths.py: tf-savedmodel"),
        ("{metric: throughput, phase: train, favours: pytorch, paths: [tf-onnx]}",
         "'paths' applies to deployment metrics only, not 'throughput' — Tip: remove 'paths'"),
        ("{metric: deploy-latency, phase: inference, favours: pytorch}",
         "'phase' applies to throughput only; a 'deploy-latency' comparison has none — Tip: remove 'phase'"),
        ("{metric: deploy-coverage, within_percent: 5, scope: {scale: large}}",
         "'scope.scale' cannot be measured for 'deploy-coverage'"),
        ("{metric: deploy-coverage, favours: pytorch, paths: []}", "'compares.paths' needs at least 1 item"),
    ],
)
def test_a_malformed_deployment_comparison_is_an_error_on_its_line(kb_dir, capsys, compares, message):
    edit(kb_dir, CLAIM, "compares:\n  metric: throughput\n  phase: train\n  within_percent: 50", f"compares: {compares}")
    assert main(["--data", str(kb_dir)]) == 1
    out = capsys.readouterr().out
    assert f"data/{CLAIM}:{line_of(kb_dir, CLAIM, 'compares')}:" in out and message in out, out
    assert "Traceback" not in out
