"""Synthetic benchmark results for the tests, built through the real schema so they can never drift from it.

Every number here is made up and every result says so (``suite="synthetic-test"``, machine label "SYNTHETIC test
machine"). They are written to a temporary folder by the tests, never under ``data/results/``: real results only
come from real runs of the harness.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path
from typing import Any

from generator.results.schema import (
    Calibration,
    Environment,
    Failure,
    FailureKind,
    Metrics,
    Mode,
    PerformanceResult,
    Phase,
    Precision,
    RunConfig,
    Status,
    Timing,
)

SYNTHETIC_MACHINE = "SYNTHETIC test machine (not a real measurement)"
FLOPS_PER_SAMPLE = {"image-classification": 8.2e9, "sentiment-analysis": 22.4e9, "object-detection": 8.7e9}
PEAK_FLOPS = 4.0e12


def environment(framework: str = "pytorch", *, busy: bool = False, device: str = "cpu", **changes: Any) -> Environment:
    values: dict[str, Any] = {
        "hostname_hash": "synth01",
        "machine_label": SYNTHETIC_MACHINE,
        "os": "Linux-synthetic",
        "python": "3.11.0",
        "cpu_model": "Synthetic CPU 2-core",
        "cpu_cores_logical": 2,
        "cpu_cores_physical": 1,
        "memory_gb": 8.0,
        "framework_version": "2.99.0" if framework == "pytorch" else "2.98.0",
        "framework_build": {"onednn": "synthetic"},
        "thread_env": {"OMP_NUM_THREADS": "2"},
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "git_dirty": False,
        "command": "invoke bench --suite synthetic-test",
        "load_before": (0.1, 0.1, 0.1),
        "load_after": (0.2, 0.1, 0.1),
        "busy": busy,
    }
    if device == "cuda":
        values |= {"gpu_model": "Synthetic GPU", "gpu_driver": "999.1", "cuda_version": "99.0", "cudnn_version": "9.9"}
    values |= changes
    return Environment(**values)


def performance(
    task: str = "image-classification",
    framework: str = "pytorch",
    mode: str = "eager",
    precision: str = "fp32",
    phase: str = "inference",
    batch_size: int = 8,
    *,
    step_time_s: float = 0.1,
    device: str = "cpu",
    busy: bool = False,
    memory_mb: float | None = 1500.0,
    result_id: str | None = None,
    repeats: int = 5,
    measured_steps: int = 4,
    started_at: dt.datetime = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC),
) -> PerformanceResult:
    """A consistent ok result: every derived figure agrees with the raw times it is derived from."""
    spread = [0.98, 0.99, 1.0, 1.01, 1.03, 1.0, 0.995, 1.005][:repeats]
    repeat_times = [step_time_s * measured_steps * f for f in spread]
    step_times = [t / measured_steps * g for t in repeat_times for g in (0.97, 1.0, 1.01, 1.02)[:measured_steps]]
    median_step = statistics.median(repeat_times) / measured_steps
    throughput = batch_size / median_step
    flops = FLOPS_PER_SAMPLE.get(task, 1e9) * (3 if phase == "train" else 1)
    achieved = flops * throughput
    latencies = sorted(t * 1000 for t in step_times)
    batch1 = batch_size == 1
    config = RunConfig(
        suite="synthetic-test", task=task, framework=framework, mode=Mode(mode), precision=Precision(precision),
        phase=Phase(phase), batch_size=batch_size, device=device, threads=2, inter_op_threads=1,
        shape={"image_size": 224}, warmup_steps=2, measured_steps=measured_steps, repeats=repeats, timeout_s=600,
    )
    metrics = Metrics(
        throughput_samples_per_s=throughput,
        throughput_ci95=(throughput * 0.97, throughput * 1.02),
        step_time_s_median=median_step,
        latency_ms_p50=statistics.median(latencies) if batch1 else None,
        latency_ms_p90=latencies[int(0.9 * (len(latencies) - 1))] if batch1 else None,
        latency_ms_p99=latencies[-1] if batch1 else None,
        peak_memory_mb=memory_mb,
        memory_kind="host-rss" if memory_mb else None,
        first_step_s=step_time_s * (30 if mode == "compiled" else 3),
        compile_s=step_time_s * 29 if mode == "compiled" else None,
        flops_per_sample=flops,
        achieved_flops_per_s=achieved,
        utilisation=min(achieved / PEAK_FLOPS, 1.0),
        parameter_count=25_557_032,
    )
    calibration = Calibration(
        peak_flops_per_s=max(PEAK_FLOPS, achieved), matmul_size=4096, dtype=precision, framework=framework,
        measured_at=started_at,
    )
    if achieved > PEAK_FLOPS:  # keep utilisation consistent with the calibration when a test asks for a fast run
        metrics = metrics.model_copy(update={"utilisation": 1.0})
    rid = result_id or f"synthetic-{task}-{framework}-{mode}-{precision}-{phase}-b{batch_size}-{device}"
    return PerformanceResult(
        result_id=rid,
        status=Status.ok,
        config=config,
        started_at=started_at,
        finished_at=started_at + dt.timedelta(seconds=30),
        environment=environment(framework, busy=busy, device=device),
        metrics=metrics,
        timing=Timing(repeat_times_s=repeat_times, step_times_s=step_times, synchronised=True),
        calibration=calibration,
    )


def failed(task: str = "object-detection", framework: str = "tensorflow", kind: str = "oom",
           message: str = "synthetic: ran out of memory at batch 64") -> PerformanceResult:
    ok = performance(task, framework, batch_size=64)
    return PerformanceResult(
        result_id=f"synthetic-failed-{task}-{framework}-{kind}",
        status=Status.failed,
        config=ok.config,
        started_at=ok.started_at,
        finished_at=ok.finished_at,
        environment=ok.environment,
        failure=Failure(kind=FailureKind(kind), message=message),
    )


def document(result: PerformanceResult) -> dict[str, Any]:
    """The JSON document the harness would write for ``result``."""
    return json.loads(result.model_dump_json())


def write(folder: Path, result: PerformanceResult | dict[str, Any], name: str | None = None) -> Path:
    data = result if isinstance(result, dict) else document(result)
    path = folder / "synthetic" / f"{name or data['result_id']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def standard_set() -> list[PerformanceResult]:
    """A small but complete picture: two frameworks, modes, precisions, phases, a batch sweep, batch 1, a gap.

    Deliberately missing: TensorFlow compiled training for sentiment-analysis, and everything for object
    detection training (the task is inference-only), so tests can check "not measured" cells.
    """
    results = []
    for framework, speed in (("pytorch", 1.0), ("tensorflow", 1.15)):
        for mode, factor in (("eager", 1.0), ("compiled", 0.7)):
            for batch in (1, 8, 32):
                results.append(performance("image-classification", framework, mode, "fp32", "inference", batch,
                                           step_time_s=0.01 * batch * speed * factor + 0.004))
            results.append(performance("image-classification", framework, mode, "bf16", "inference", 8,
                                       step_time_s=0.05 * speed * factor))
            results.append(performance("image-classification", framework, mode, "fp32", "train", 8,
                                       step_time_s=0.3 * speed * factor))
            results.append(performance("sentiment-analysis", framework, mode, "fp32", "inference", 8,
                                       step_time_s=0.2 * speed * factor, memory_mb=None))
            if not (framework == "tensorflow" and mode == "compiled"):
                results.append(performance("sentiment-analysis", framework, mode, "fp32", "train", 8,
                                           step_time_s=0.6 * speed * factor))
    results.append(performance("object-detection", "pytorch", "eager", "fp32", "inference", 1, step_time_s=0.02))
    results.append(performance("object-detection", "tensorflow", "graph", "fp32", "inference", 1, step_time_s=0.025))
    return results


def write_standard_set(folder: Path, *, with_failed: bool = True, with_busy: bool = True) -> Path:
    for result in standard_set():
        write(folder, result)
    if with_failed:
        write(folder, failed())
    if with_busy:
        write(folder, performance("image-classification", "tensorflow", "eager", "fp32", "inference", 8,
                                  step_time_s=5.0, busy=True, result_id="synthetic-busy-run"))
    return folder
