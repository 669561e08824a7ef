"""Synthetic deployment cells for the tests, built through the real schema so they can never drift from it.

The deployment counterpart of :mod:`tests.results.result_factory`: every number is made up and every cell says so
(machine label "SYNTHETIC test machine"). A cell's latency figures are derived from its own step times, as the
harness derives them, so the verdicts' bootstrap intervals see consistent data. Written to a temporary folder by
the tests, never under ``data/results/``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from generator.bench.deploy.paths import PATHS
from generator.results.schema import (
    DeployConfig,
    DeployCost,
    DeployFailure,
    DeploymentResult,
    DeployOutcome,
    DeployStage,
    FailureKind,
    Fidelity,
    Tolerance,
)
from tests.results.result_factory import environment

TF_PATHS = tuple(path for path in PATHS if path.startswith("tf-"))
TORCH_PATHS = tuple(path for path in PATHS if path.startswith("torch-"))
# Relative spread of a cell's batch-1 call times around its median (nine calls, median 1.0).
CALL_SPREAD = (0.96, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02, 1.03, 1.04)


def source_of(path: str) -> str:
    return "tensorflow" if path.startswith("tf-") else "pytorch"


def cell(
    path: str,
    task: str = "image-classification",
    outcome: str = "ok",
    *,
    latency_ms: float = 10.0,
    spread: tuple[float, ...] = CALL_SPREAD,
    suite: str = "deploy",
    busy: bool = False,
    device: str = "cpu",
    hostname_hash: str = "synth01",
    message: str = "synthetic: the converter raised",
    finished_at: dt.datetime = dt.datetime(2026, 1, 5, 12, 0, 30, tzinfo=dt.UTC),
) -> DeploymentResult:
    """One cell of the deployment matrix: ``outcome`` ok (with fidelity and cost), outputs-differ (fidelity out of
    tolerance) or a failure at the stage the outcome implies."""
    framework = source_of(path)
    precision = "int8-dynamic" if path.endswith("int8") else "fp32"
    config = DeployConfig(
        suite=suite, task=task, path=path, source_framework=framework, format="synthetic format",
        converter="synthetic converter", runtime="synthetic runtime", precision=precision, device=device,
        threads=2, inter_op_threads=1, shape={"image_size": 224}, fidelity_samples=8, throughput_batch=8,
        warmup_steps=2, latency_repeats=1, latency_steps=len(spread), throughput_repeats=3, timeout_s=600,
    )
    kind = DeployOutcome(outcome)
    fidelity = cost = failure = None
    if kind in (DeployOutcome.ok, DeployOutcome.outputs_differ):
        works = kind is DeployOutcome.ok
        fidelity = Fidelity(
            samples=8, max_abs_diff=1e-6 if works else 0.5, max_rel_diff=1e-7 if works else 0.05,
            top1_agreement=1.0 if works else 0.5,
            tolerance=Tolerance(atol=1e-4, rtol=1e-4, min_agreement=1.0, enforced=precision == "fp32"),
            within_tolerance=works)
    if kind is DeployOutcome.ok:
        steps = [latency_ms / 1000 * factor for factor in spread]
        latencies = sorted(step * 1000 for step in steps)
        cost = DeployCost(
            export_s=3.0, artifact_bytes=100_000_000, load_s=0.5, first_call_s=latency_ms / 100,
            latency_ms_p50=statistics.median(latencies), latency_ms_p90=latencies[int(0.9 * (len(latencies) - 1))],
            latency_ms_p99=latencies[-1], latency_step_times_s=steps, peak_rss_mb=900.0,
            **_throughput(path, latency_ms))
    elif kind is not DeployOutcome.outputs_differ:
        stage = {DeployOutcome.export_failed: DeployStage.export, DeployOutcome.runtime_failed: DeployStage.run,
                 DeployOutcome.not_installable: DeployStage.install}[kind]
        failure = DeployFailure(stage=stage, kind=FailureKind.error, message=message,
                                reproduce=f"atlas bench --suite {suite} --path {path}")
    return DeploymentResult(
        result_id=f"synthetic-deploy-{suite}-{task}-{path}-{hostname_hash}-{'busy' if busy else 'quiet'}",
        outcome=kind, config=config, started_at=finished_at - dt.timedelta(seconds=30), finished_at=finished_at,
        environment=environment(framework, busy=busy, device=device, hostname_hash=hostname_hash),
        versions={framework: "2.99.0"}, fidelity=fidelity, cost=cost, failure=failure)


STATIC_BATCH_PATHS = ("torch-litert", "torch-executorch")


def _throughput(path: str, latency_ms: float) -> dict[str, Any]:
    """Batch-8 repeats (three, ±1%) for a dynamic-batch path; the harness's note for a batch-1 artifact."""
    if path in STATIC_BATCH_PATHS:
        return {"throughput_note": "the artifact is exported for batch 1 (synthetic)"}
    repeats = [8 * latency_ms / 1000 * 0.6 * factor for factor in (0.99, 1.0, 1.01)]
    median = statistics.median(repeats)
    return {"throughput_samples_per_s": 8 / median, "throughput_ci95": (8 / max(repeats), 8 / min(repeats)),
            "throughput_repeat_times_s": repeats}


def matrix(failing: dict[str, str] | None = None, tasks: tuple[str, ...] = ("image-classification",),
           **changes: Any) -> list[DeploymentResult]:
    """Every export path of both frameworks for ``tasks``; ``failing`` maps a path to the outcome it gets."""
    failing = failing or {}
    return [cell(path, task, failing.get(path, "ok"), **changes) for task in tasks for path in PATHS]
