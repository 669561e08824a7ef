"""The table the site reads: one row per compared performance run, and what each column means.

The downloads page renders :data:`COLUMNS`, so the documentation of ``api/results.csv`` cannot drift from the file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from generator.results.schema import PerformanceResult

# The columns of ``ResultSet.frame`` and of ``api/results.csv``, in order, with what each means. The downloads
# page renders this table, so the documentation cannot drift from the file.
COLUMNS: dict[str, str] = {
    "result_id": "Identifier of the run; the site's environments page has an anchor for each.",
    "task": "Benchmark task id (image-classification, sentiment-analysis, object-detection).",
    "framework": "Framework id (tensorflow, pytorch).",
    "framework_version": "Framework version the run used.",
    "mode": "eager, graph (tf.function without XLA) or compiled (torch.compile / XLA).",
    "precision": "fp32, bf16 or fp16 (mixed precision).",
    "phase": "train (one optimiser step) or inference.",
    "batch_size": "Samples per step.",
    "device": "cpu or cuda.",
    "device_model": "CPU model (device cpu) or GPU model (device cuda).",
    "machine_label": "Human label of the machine.",
    "machine_id": "Short hash of the host name: groups runs by machine, reveals nothing.",
    "suite": "Harness suite the run belongs to (smoke, standard, full).",
    "threads": "Intra-op threads (equal for both frameworks on CPU).",
    "channels_last": "Channels-last memory format (PyTorch convnets).",
    "xla": "XLA compilation on (TensorFlow compiled mode).",
    "tf32": "TF32 matmuls allowed (GPU).",
    "throughput_samples_per_s": "Samples per second of the median repeat.",
    "throughput_ci_low": "Lower bound of the 95% bootstrap confidence interval of the median throughput.",
    "throughput_ci_high": "Upper bound of the same interval.",
    "step_time_s_median": "Median time of one step, seconds.",
    "latency_ms_p50": "Median per-step latency at batch 1, milliseconds (empty for other batch sizes).",
    "latency_ms_p90": "90th percentile latency at batch 1, milliseconds.",
    "latency_ms_p99": "99th percentile latency at batch 1, milliseconds.",
    "peak_memory_mb": "Peak memory of the run, MB (empty where not measurable).",
    "memory_kind": "What peak_memory_mb measures: device memory, host RSS, or the RSS increase of the run.",
    "first_step_s": "Wall time of the first step, compilation included, seconds.",
    "compile_s": "first_step_s minus a steady step, in compiled mode, seconds.",
    "flops_per_sample": "Model FLOPs per sample (1 MAC = 2 FLOPs; training counts forward + backward).",
    "achieved_flops_per_s": "flops_per_sample × throughput.",
    "utilisation": "achieved_flops_per_s / the device's calibrated matmul peak (0–1).",
    "peak_flops_per_s": "The calibrated matmul peak utilisation is measured against.",
    "parameter_count": "Parameters of the model.",
    "busy": "The machine was loaded during the run (left out of comparisons by default).",
    "foreign_cpu_share": "Share of the machine's CPU time other processes used during the run (0–1).",
    "git_commit": "Commit of the harness that produced the run.",
    "measured_at": "When the run finished (UTC, ISO 8601).",
}

# The smoke suite runs tiny shapes to check the harness end to end; its numbers mean nothing (see
# generator.bench.methodology.SUITES), so its results are listed with every run but never compared.
UNCOMPARED_SUITES = ("smoke",)


def result_row(result: PerformanceResult) -> dict[str, Any]:
    """One row of the frame / CSV for an ok performance result (columns as in :data:`COLUMNS`)."""
    config, env, metrics = result.config, result.environment, result.metrics
    assert metrics is not None  # ok results always have metrics (the schema says so)
    finished = result.finished_at if result.finished_at.tzinfo else result.finished_at.replace(tzinfo=dt.UTC)
    return {
        "result_id": result.result_id,
        "task": config.task,
        "framework": config.framework,
        "framework_version": env.framework_version,
        "mode": config.mode.value,
        "precision": config.precision.value,
        "phase": config.phase.value,
        "batch_size": config.batch_size,
        "device": config.device,
        "device_model": env.gpu_model if config.device == "cuda" and env.gpu_model else env.cpu_model,
        "machine_label": env.machine_label,
        "machine_id": env.hostname_hash,
        "suite": config.suite,
        "threads": config.threads,
        "channels_last": config.channels_last,
        "xla": config.xla,
        "tf32": config.tf32,
        "throughput_samples_per_s": metrics.throughput_samples_per_s,
        "throughput_ci_low": metrics.throughput_ci95[0],
        "throughput_ci_high": metrics.throughput_ci95[1],
        "step_time_s_median": metrics.step_time_s_median,
        "latency_ms_p50": metrics.latency_ms_p50,
        "latency_ms_p90": metrics.latency_ms_p90,
        "latency_ms_p99": metrics.latency_ms_p99,
        "peak_memory_mb": metrics.peak_memory_mb,
        "memory_kind": metrics.memory_kind,
        "first_step_s": metrics.first_step_s,
        "compile_s": metrics.compile_s,
        "flops_per_sample": metrics.flops_per_sample,
        "achieved_flops_per_s": metrics.achieved_flops_per_s,
        "utilisation": metrics.utilisation,
        "peak_flops_per_s": result.calibration.peak_flops_per_s if result.calibration else None,
        "parameter_count": metrics.parameter_count,
        "busy": env.busy,
        "foreign_cpu_share": env.foreign_cpu_share,
        "git_commit": env.git_commit,
        "measured_at": pd.Timestamp(finished).tz_convert("UTC"),
    }


def build_frame(results: list[PerformanceResult]) -> pd.DataFrame:
    frame = pd.DataFrame([result_row(r) for r in results], columns=list(COLUMNS))
    # Missing measurements stay missing (NaN/None), never 0: the pages render them as "not measured".
    return frame.sort_values(["task", "phase", "framework", "mode", "precision", "batch_size", "measured_at"],
                             ignore_index=True) if len(frame) else frame
