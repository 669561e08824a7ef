"""The table the site reads: one row per compared performance run, and what each column means.

The downloads page renders :data:`COLUMNS`, so the documentation of ``api/results.csv`` cannot drift from the file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from generator.results.peaks import PeakSummary, machine_peaks, peak_key, utilisation
from generator.results.schema import DeploymentResult, DistributedResult, PerformanceResult, Status

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
    "utilisation": "achieved_flops_per_s / the machine's peak for this precision (0–1): one denominator for both "
                   "frameworks on a machine.",
    "peak_flops_per_s": "The machine's measured peak: the highest large-matmul calibration of PyTorch, TensorFlow "
                        "and NumPy recorded on this machine, device and precision on all its cores.",
    "peak_source": "Which library's calibration gave the machine's peak (pytorch, tensorflow or numpy).",
    "own_calibration_flops_per_s": "This run's own framework's calibration (a witness of the peak, not the "
                                   "denominator).",
    "theoretical_peak_flops_per_s": "cores × clock × FLOPs per cycle from /proc/cpuinfo and a cited table (empty "
                                    "where it cannot be derived).",
    "parameter_count": "Parameters of the model.",
    "busy": "The machine was loaded during the run (left out of comparisons by default).",
    "foreign_cpu_share": "Share of the machine's CPU time other processes used during the run (0–1).",
    "git_commit": "Commit of the harness that produced the run.",
    "measured_at": "When the run finished (UTC, ISO 8601).",
}

# The smoke suite runs tiny shapes to check the harness end to end; its numbers mean nothing (see
# generator.bench.methodology.SUITES), so its results are listed with every run but never compared.
UNCOMPARED_SUITES = ("smoke", "deploy-smoke", "distributed-smoke")


def result_row(result: PerformanceResult, peaks: dict[tuple[str, str, str], PeakSummary]) -> dict[str, Any]:
    """One row of the frame / CSV for an ok performance result (columns as in :data:`COLUMNS`); utilisation is
    against the machine's peak in ``peaks`` (generator.results.peaks)."""
    config, env, metrics = result.config, result.environment, result.metrics
    peak = peaks.get(peak_key(result))
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
        "utilisation": utilisation(result, peaks),
        "peak_flops_per_s": peak.peak_flops_per_s if peak else None,
        "peak_source": peak.source if peak else None,
        "own_calibration_flops_per_s": result.calibration.peak_flops_per_s if result.calibration else None,
        "theoretical_peak_flops_per_s": peak.theoretical_flops_per_s if peak else None,
        "parameter_count": metrics.parameter_count,
        "busy": env.busy,
        "foreign_cpu_share": env.foreign_cpu_share,
        "git_commit": env.git_commit,
        "measured_at": pd.Timestamp(finished).tz_convert("UTC"),
    }


def build_frame(results: list[PerformanceResult], all_results: list[PerformanceResult] | None = None) -> pd.DataFrame:
    """``results`` as rows; the machine peaks come from ``all_results`` (default: ``results``), so a peak is the
    same whichever subset of a machine's runs a page shows."""
    peaks = machine_peaks(all_results if all_results is not None else results)
    frame = pd.DataFrame([result_row(r, peaks) for r in results], columns=list(COLUMNS))
    # Missing measurements stay missing (NaN/None), never 0: the pages render them as "not measured".
    return frame.sort_values(["task", "phase", "framework", "mode", "precision", "batch_size", "measured_at"],
                             ignore_index=True) if len(frame) else frame


# --- Deployment cells: api/deployment.csv -----------------------------------------------------------------------

DEPLOYMENT_COLUMNS: dict[str, str] = {
    "result_id": "Identifier of the cell; the site's every-run page has an anchor for each.",
    "task": "Benchmark task id (image-classification, sentiment-analysis, object-detection).",
    "path": "Export path id, e.g. torch-onnx (source framework → format → runtime).",
    "source_framework": "The framework the model was exported from (tensorflow, pytorch).",
    "format": "The deployed artifact's format.",
    "converter": "The API that wrote the artifact.",
    "runtime": "What loaded and ran it.",
    "precision": "fp32, or int8-dynamic (dynamic-range quantised weights).",
    "outcome": "ok, export-failed, runtime-failed, outputs-differ or not-installable.",
    "failure_stage": "Where a failed cell failed: install, export, load or run.",
    "failure_message": "The first line of the error (empty when ok).",
    "reproduce": "The command that runs the cell again (empty when ok).",
    "max_abs_diff": "Largest |deployed − source| over every output on the fixed batch.",
    "max_rel_diff": "max_abs_diff over the largest source output magnitude.",
    "top1_agreement": "Classifiers: share of the fixed batch with the same top-1 class as the source (0–1).",
    "box_agreement": "Detector: matched boxes after NMS / max(source, deployed) boxes (0–1).",
    "within_tolerance": "The outputs meet the precision's tolerance (int8 is reported, not enforced).",
    "export_s": "Export/conversion time, seconds.",
    "artifact_mb": "Artifact size on disk, MB (10^6 bytes).",
    "load_s": "Time to load the artifact into its runtime, seconds.",
    "latency_ms_p50": "Median batch-1 latency, milliseconds.",
    "latency_ms_p90": "90th percentile batch-1 latency, milliseconds.",
    "latency_ms_p99": "99th percentile batch-1 latency, milliseconds.",
    "throughput_samples_per_s": "Batch-8 throughput of the median repeat, samples/s (empty: static batch-1 artifact).",
    "peak_rss_mb": "Peak resident memory of the runtime process (imports included), MB.",
    "threads": "Intra-op threads of the runtime.",
    "versions": "Every package of the path with its version (name=version; …).",
    "machine_label": "Human label of the machine.",
    "machine_id": "Short hash of the host name: groups runs by machine, reveals nothing.",
    "suite": "deploy (real shapes) or deploy-smoke (tiny shapes, not compared).",
    "busy": "The machine was loaded during the cell (left out of the page by default).",
    "git_commit": "Commit of the harness that produced the cell.",
    "measured_at": "When the cell finished (UTC, ISO 8601).",
}


def deployment_row(result: DeploymentResult) -> dict[str, Any]:
    config, fidelity, cost, failure, env = (result.config, result.fidelity, result.cost, result.failure,
                                            result.environment)
    finished = result.finished_at if result.finished_at.tzinfo else result.finished_at.replace(tzinfo=dt.UTC)
    return {
        "result_id": result.result_id, "task": config.task, "path": config.path,
        "source_framework": config.source_framework, "format": config.format, "converter": config.converter,
        "runtime": config.runtime, "precision": config.precision, "outcome": result.outcome.value,
        "failure_stage": failure.stage.value if failure else None, "failure_message": failure.message if failure
        else None, "reproduce": failure.reproduce if failure else None,
        "max_abs_diff": fidelity.max_abs_diff if fidelity else None,
        "max_rel_diff": fidelity.max_rel_diff if fidelity else None,
        "top1_agreement": fidelity.top1_agreement if fidelity else None,
        "box_agreement": fidelity.box_agreement if fidelity else None,
        "within_tolerance": fidelity.within_tolerance if fidelity else None,
        "export_s": cost.export_s if cost else None, "artifact_mb": cost.artifact_bytes / 1e6 if cost else None,
        "load_s": cost.load_s if cost else None, "latency_ms_p50": cost.latency_ms_p50 if cost else None,
        "latency_ms_p90": cost.latency_ms_p90 if cost else None,
        "latency_ms_p99": cost.latency_ms_p99 if cost else None,
        "throughput_samples_per_s": cost.throughput_samples_per_s if cost else None,
        "peak_rss_mb": cost.peak_rss_mb if cost else None, "threads": config.threads,
        "versions": "; ".join(f"{k}={v}" for k, v in sorted(result.versions.items())),
        "machine_label": env.machine_label, "machine_id": env.hostname_hash, "suite": config.suite,
        "busy": env.busy, "git_commit": env.git_commit,
        "measured_at": pd.Timestamp(finished).tz_convert("UTC"),
    }


def build_deployment_frame(results: list[DeploymentResult]) -> pd.DataFrame:
    """Every deployment cell, failed ones included: a path that does not work is a finding, not a gap."""
    frame = pd.DataFrame([deployment_row(r) for r in results], columns=list(DEPLOYMENT_COLUMNS))
    return frame.sort_values(["task", "source_framework", "path", "measured_at"], ignore_index=True) if len(
        frame) else frame


# --- Distributed runs: api/distributed.csv ----------------------------------------------------------------------

DISTRIBUTED_COLUMNS: dict[str, str] = {
    "result_id": "Identifier of the run; the site's every-run page has an anchor for each.",
    "task": "Benchmark task id (image-classification, sentiment-analysis).",
    "framework": "tensorflow or pytorch.",
    "engine": "The framework's distributed engine (DistributedDataParallel, MultiWorkerMirroredStrategy).",
    "launcher": "What started the workers (torchrun; TF_CONFIG, one process per worker).",
    "backend": "The collective implementation (gloo, ring, nccl).",
    "device": "cpu or cuda.",
    "workers": "Number of worker processes.",
    "threads_per_worker": "Cores (and intra-op threads) each worker was pinned to.",
    "scaling": "baseline (1 worker), strong (global batch fixed) or weak (per-worker batch fixed).",
    "per_worker_batch": "Samples per worker per step.",
    "global_batch": "Samples per step over all workers.",
    "status": "ok or failed.",
    "failure_stage": "Where a failed run failed: launch, startup, equivalence, train or collect.",
    "failure_message": "The first line of the reason (empty when ok).",
    "throughput_samples_per_s": "Global samples per second of the median repeat.",
    "throughput_ci95_low": "Lower end of the 95% bootstrap interval of the median throughput.",
    "throughput_ci95_high": "Upper end of that interval.",
    "step_time_s_median": "Median step time, seconds (a step ends when the slowest worker's does).",
    "speedup": "Throughput over the 1-worker run's of the same task, framework and machine.",
    "scaling_efficiency": "speedup over the ideal: 1 on CPUs (same total cores), the worker count on GPUs (one "
                          "GPU each).",
    "startup_s": "Forming the process group / cluster until its first collective, slowest worker, seconds.",
    "communication_share": "Share of a step with a gradient all-reduce in flight (empty: not exposed).",
    "equivalence_passed": "The weights after one step equal the 1-worker run's within tolerance (empty: 1 worker).",
    "equivalence_max_rel_diff": "Largest per-tensor difference from the 1-worker weights over that tensor's update.",
    "framework_version": "Framework version.",
    "machine_label": "Human label of the machine.",
    "machine_id": "Short hash of the host name: groups runs by machine, reveals nothing.",
    "suite": "distributed (real shapes) or distributed-smoke (tiny shapes, not compared).",
    "busy": "The machine was loaded during the run (left out of the page by default).",
    "reproduce": "The command that runs this cell again.",
    "git_commit": "Commit of the harness that produced the run.",
    "measured_at": "When the run finished (UTC, ISO 8601).",
}


def _baseline_key(result: DistributedResult) -> tuple:
    c, env = result.config, result.environment
    return (c.suite, c.task, c.framework, c.device, c.equivalence_batch, tuple(sorted(c.shape.items())),
            env.machine_label, env.framework_version)


def _ideal_factor(result: DistributedResult, baseline: DistributedResult) -> float:
    """What perfect scaling multiplies the baseline's throughput by: the resources the run has over the baseline's
    (the same total cores on a CPU: 1; one GPU per worker: the worker count). Weak and strong alike."""
    c = result.config
    if c.device == "cuda":
        return float(c.workers)
    return c.workers * c.threads_per_worker / baseline.config.threads_per_worker


def distributed_row(result: DistributedResult, baseline: DistributedResult | None) -> dict[str, Any]:
    c, m, e, f, env = result.config, result.metrics, result.equivalence, result.failure, result.environment
    finished = result.finished_at if result.finished_at.tzinfo else result.finished_at.replace(tzinfo=dt.UTC)
    speedup = efficiency = None
    if m is not None and baseline is not None and baseline.metrics is not None:
        speedup = m.throughput_samples_per_s / baseline.metrics.throughput_samples_per_s
        efficiency = speedup / _ideal_factor(result, baseline)
    return {
        "result_id": result.result_id, "task": c.task, "framework": c.framework, "engine": c.engine,
        "launcher": c.launcher, "backend": c.backend, "device": c.device, "workers": c.workers,
        "threads_per_worker": c.threads_per_worker, "scaling": c.scaling.value,
        "per_worker_batch": c.per_worker_batch, "global_batch": c.global_batch, "status": result.status.value,
        "failure_stage": f.stage.value if f else None, "failure_message": f.message if f else None,
        "throughput_samples_per_s": m.throughput_samples_per_s if m else None,
        "throughput_ci95_low": m.throughput_ci95[0] if m else None,
        "throughput_ci95_high": m.throughput_ci95[1] if m else None,
        "step_time_s_median": m.step_time_s_median if m else None, "speedup": speedup,
        "scaling_efficiency": efficiency, "startup_s": m.startup_s if m else None,
        "communication_share": m.communication_share if m else None,
        "equivalence_passed": e.passed if e else None, "equivalence_max_rel_diff": e.max_rel_diff if e else None,
        "framework_version": env.framework_version, "machine_label": env.machine_label,
        "machine_id": env.hostname_hash, "suite": c.suite, "busy": env.busy, "reproduce": result.reproduce,
        "git_commit": env.git_commit, "measured_at": pd.Timestamp(finished).tz_convert("UTC"),
    }


def build_distributed_frame(results: list[DistributedResult]) -> pd.DataFrame:
    """Every distributed run, failed ones included, each multi-worker run against the latest ok 1-worker run of
    its task, framework, shapes, machine and framework version."""
    baselines: dict[tuple, DistributedResult] = {}
    for result in sorted(results, key=lambda r: r.finished_at):
        if result.config.workers == 1 and result.status is Status.ok:
            baselines[_baseline_key(result)] = result
    frame = pd.DataFrame([distributed_row(r, baselines.get(_baseline_key(r))) for r in results],
                         columns=list(DISTRIBUTED_COLUMNS))
    return frame.sort_values(["task", "framework", "workers", "scaling", "measured_at"], ignore_index=True) if len(
        frame) else frame
