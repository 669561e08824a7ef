"""Synthetic distributed runs for the tests, built through the real schema so they can never drift from it.

Every number is made up and every run says so (machine label "SYNTHETIC test machine"). A run's throughput and
interval are derived from its own repeat times with the harness's statistics, so the plausibility rules see
consistent data. Written to a temporary folder by the tests, never under ``data/results/``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.bench import stats
from generator.bench.distributed.equivalence import METHOD
from generator.bench.distributed.runner import ENGINES
from generator.results.schema import (
    DistributedConfig,
    DistributedFailure,
    DistributedMetrics,
    DistributedResult,
    DistributedStage,
    DistributedTiming,
    Equivalence,
    FailureKind,
    ScalingKind,
    Status,
)
from tests.results.result_factory import environment

REPEAT_SPREAD = (0.98, 1.0, 1.02)


def run(
    task: str = "image-classification",
    framework: str = "pytorch",
    workers: int = 1,
    scaling: str | None = None,
    *,
    step_s: float = 2.0,
    suite: str = "distributed",
    status: str = "ok",
    stage: str = "train",
    message: str = "synthetic: a worker died from signal SIGKILL during train",
    passed: bool = True,
    communication_share: float | None = 0.3,
    busy: bool = False,
    batch: int = 8,
    finished_at: dt.datetime = dt.datetime(2026, 1, 6, 12, 0, 30, tzinfo=dt.UTC),
    **changes: Any,
) -> DistributedResult:
    """One run: 1 worker is the baseline; ``workers`` > 1 with ``scaling`` strong (batch split) or weak (batch
    each). ``status`` failed makes a failure at ``stage``; ``passed`` False a failed equivalence check."""
    kind = ScalingKind(scaling or ("baseline" if workers == 1 else "strong"))
    per_worker = batch // workers if kind is ScalingKind.strong else batch
    engine = ENGINES[framework]
    config = DistributedConfig(
        suite=suite, task=task, framework=framework, engine=engine["engine"], launcher=engine["launcher"],
        backend=engine["backends"]["cpu"], mode="eager" if framework == "pytorch" else "graph", precision="fp32",
        device="cpu", workers=workers, threads_per_worker=2 // workers, scaling=kind, per_worker_batch=per_worker,
        global_batch=per_worker * workers, equivalence_batch=batch, shape={"image_size": 224}, warmup_steps=2,
        measured_steps=1, repeats=len(REPEAT_SPREAD), timeout_s=900)
    check = None
    if workers > 1 and (status == "ok" or not passed):  # a run that failed otherwise failed before its check
        check = Equivalence(reference="the 1-worker run (synthetic)", method=METHOD, tensors=10,
                            initial_max_abs_diff=0.0, max_abs_diff=1e-9 if passed else 1e-3,
                            max_rel_diff=1e-6 if passed else 0.5, worst_tensor="fc.weight", rtol=1e-3, atol=1e-6,
                            passed=passed)
    failed = status == "failed" or not passed
    values: dict[str, Any] = {
        "result_id": f"distributed.{task}.{framework}.{workers}w.{kind.value}.{suite}.synth{int(step_s * 1000)}"
                     f"{'.failed' if failed else ''}{'.busy' if busy else ''}",
        "status": Status.failed if failed else Status.ok, "config": config,
        "started_at": finished_at - dt.timedelta(seconds=30), "finished_at": finished_at,
        "environment": environment(framework, busy=busy), "versions": {"torch": "2.99.0"}
        if framework == "pytorch" else {"tensorflow-cpu": "2.98.0", "keras": "3.99.0"},
        "reproduce": f"atlas bench --suite {suite} --task {task} --framework {framework} --workers {workers}",
        "equivalence": check,
    }
    if failed:
        values["failure"] = DistributedFailure(
            stage=DistributedStage.equivalence if not passed else DistributedStage(stage),
            kind=FailureKind.error if not passed else FailureKind.crash,
            message="synthetic: the weights differ" if not passed else message)
    else:
        times = [step_s * factor for factor in REPEAT_SPREAD]
        summary = stats.throughput_summary(times, config.global_batch)
        values["metrics"] = DistributedMetrics(
            throughput_samples_per_s=summary["throughput_samples_per_s"], throughput_ci95=summary["throughput_ci95"],
            step_time_s_median=summary["median_repeat_s"], first_step_s=step_s * 1.5, startup_s=0.8,
            launch_s=step_s * 6 + 5, communication_share=communication_share if framework == "pytorch" else None,
            communication_note="synthetic note")
        values["timing"] = DistributedTiming(repeat_times_s=times, worker_repeat_times_s=[times] * workers,
                                             step_times_s=times)
    values |= changes
    return DistributedResult(**values)


def standard_set(**changes: Any) -> list[DistributedResult]:
    """Both frameworks, both tasks: baseline, strong and weak, every check passing."""
    results = []
    for task in ("image-classification", "sentiment-analysis"):
        for framework, step in (("pytorch", 2.0), ("tensorflow", 2.5)):
            results.append(run(task, framework, 1, step_s=step, **changes))
            results.append(run(task, framework, 2, "strong", step_s=step * 1.3, **changes))
            results.append(run(task, framework, 2, "weak", step_s=step * 2.4, **changes))
    return results
