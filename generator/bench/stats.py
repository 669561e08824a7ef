"""Statistics of a run's raw times: medians, a seeded bootstrap interval, latency percentiles. NumPy only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from generator.bench import methodology


def bootstrap_median_ci(
    values: Sequence[float],
    confidence: float = methodology.CONFIDENCE,
    resamples: int = methodology.BOOTSTRAP_RESAMPLES,
    seed: int = methodology.BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile-bootstrap interval of the median: resample the values with replacement, take each resample's
    median, report the central ``confidence`` range of those medians. Seeded, so it is reproducible."""
    data = np.asarray(values, dtype=float)
    if data.size == 1:
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(data, size=(resamples, data.size), replace=True), axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(medians, [tail, 100 - tail])
    return float(low), float(high)


def latency_percentiles_ms(step_times_s: Sequence[float]) -> dict[int, float]:
    """Per-step latency percentiles in milliseconds (linear interpolation between order statistics)."""
    points = methodology.LATENCY_PERCENTILES
    values = np.percentile(np.asarray(step_times_s, dtype=float) * 1e3, points)
    return {p: float(v) for p, v in zip(points, values, strict=True)}


def throughput_summary(repeat_times_s: Sequence[float], samples_per_repeat: int) -> dict[str, object]:
    """Throughput of the median repeat and its interval.

    The interval is bootstrapped on repeat times and mapped through ``samples / time``, which is monotonic, so
    the interval of the throughput is the (swapped) image of the interval of the time.
    """
    median_time = float(np.median(repeat_times_s))
    low_time, high_time = bootstrap_median_ci(repeat_times_s)
    return {
        "throughput_samples_per_s": samples_per_repeat / median_time,
        "throughput_ci95": (samples_per_repeat / high_time, samples_per_repeat / low_time),
        "median_repeat_s": median_time,
    }


def run_metrics(*, batch_size: int, measured_steps: int, train: bool, compiled: bool, payload: dict[str, Any],
                peak_flops_per_s: float | None) -> dict[str, Any]:
    """The ``Metrics`` fields of one run from the worker's raw payload and the device's calibrated peak."""
    measurement = payload["measurement"]
    summary = throughput_summary(measurement["repeat_times_s"], batch_size * measured_steps)
    step_time = summary["median_repeat_s"] / measured_steps
    flops_per_sample = payload["forward_flops_per_sample"] * (methodology.TRAIN_FLOPS_FACTOR if train else 1)
    achieved = flops_per_sample * summary["throughput_samples_per_s"]
    latency = latency_percentiles_ms(measurement["step_times_s"]) if batch_size == 1 else {}
    return {
        "throughput_samples_per_s": summary["throughput_samples_per_s"],
        "throughput_ci95": summary["throughput_ci95"],
        "step_time_s_median": step_time,
        "latency_ms_p50": latency.get(50),
        "latency_ms_p90": latency.get(90),
        "latency_ms_p99": latency.get(99),
        "peak_memory_mb": payload["peak_memory_mb"],
        "memory_kind": payload["memory_kind"],
        "first_step_s": measurement["first_step_s"],
        # Compilation (or tracing) is what the first step took beyond an ordinary step.
        "compile_s": max(0.0, measurement["first_step_s"] - step_time) if compiled else None,
        "flops_per_sample": flops_per_sample,
        "achieved_flops_per_s": achieved,
        "utilisation": achieved / peak_flops_per_s if peak_flops_per_s else None,
        "parameter_count": payload["parameter_count"],
    }
