"""Plausibility rules: each takes a schema-valid result and yields ``(field, message)``. Add a rule = add a function.

A number we cannot trust never reaches a chart: a result that breaks a rule is reported like a schema error and
left out of the site.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections.abc import Callable, Iterator

from generator.results.schema import (
    AccuracyResult,
    DeploymentResult,
    DeployOutcome,
    DistributedResult,
    PerformanceResult,
    ScalingKind,
    Status,
)

Result = PerformanceResult | AccuracyResult | DeploymentResult | DistributedResult

_PLACEHOLDERS = {"", "unknown", "n/a", "na", "none", "null", "?", "todo"}
_RELATIVE_TOLERANCE = 0.05  # derived figures must agree with what they are derived from within 5%

Rule = Callable[[Result], Iterator[tuple[str, str]]]


def _close(a: float, b: float, tolerance: float = _RELATIVE_TOLERANCE) -> bool:
    return math.isclose(a, b, rel_tol=tolerance)


def complete_environment(result: Result) -> Iterator[tuple[str, str]]:
    """Every number is only as good as what we know of the machine it came from."""
    env = result.environment
    required = {
        "machine_label": env.machine_label,
        "hostname_hash": env.hostname_hash,
        "os": env.os,
        "python": env.python,
        "cpu_model": env.cpu_model,
        "framework_version": env.framework_version,
        "git_commit": env.git_commit,
        "command": env.command,
    }
    device = result.config.device if isinstance(result, PerformanceResult) else None
    if device == "cuda" and result.status is Status.ok:  # a run that died early may not have reached the GPU
        required |= {"gpu_model": env.gpu_model, "gpu_driver": env.gpu_driver, "cuda_version": env.cuda_version}
    for name, value in required.items():
        if value is None or value.strip().lower() in _PLACEHOLDERS:
            why = " (the run was on a GPU)" if name.startswith(("gpu", "cuda")) else ""
            yield f"environment.{name}", f"is empty or a placeholder{why} — the harness records it; rerun it"
    if not re.fullmatch(r"[0-9a-f]{7,40}", env.git_commit.strip()):
        yield "environment.git_commit", f"{env.git_commit!r} is not a git commit hash — record `git rev-parse HEAD`"
    loads = [*env.load_before, *env.load_after]
    if any(value < 0 or not math.isfinite(value) for value in loads):
        yield "environment.load_before", "load averages must be finite and ≥ 0 — record os.getloadavg()"


def dates_in_the_past(result: Result) -> Iterator[tuple[str, str]]:
    now = dt.datetime.now(dt.UTC)
    for name in ("started_at", "finished_at"):
        value: dt.datetime = getattr(result, name)
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if aware > now + dt.timedelta(minutes=5):
            yield name, f"{value.isoformat()} is in the future — record the real time (UTC)"


def positive_throughput(result: Result) -> Iterator[tuple[str, str]]:
    metrics = getattr(result, "metrics", None)
    if metrics is None:
        return
    for name in ("throughput_samples_per_s", "step_time_s_median", "achieved_flops_per_s", "flops_per_sample"):
        value = getattr(metrics, name)
        if not (math.isfinite(value) and value > 0):
            yield f"metrics.{name}", f"must be a finite number > 0, got {value!r}"


def utilisation_at_most_one(result: Result) -> Iterator[tuple[str, str]]:
    metrics = getattr(result, "metrics", None)
    if metrics is None or metrics.utilisation is None:
        return
    if not 0 <= metrics.utilisation <= 1:
        yield "metrics.utilisation", f"{metrics.utilisation} is outside 0–1 — it is a fraction of the device's peak"
    if metrics.utilisation_denominator == "machine-peak":
        peak = result.machine_peak
        if peak is None:
            yield "machine_peak", "utilisation is against the machine peak, but there is no machine_peak — add it"
            return
        denominator, where = peak.peak_flops_per_s, "machine_peak.peak_flops_per_s"
    else:
        if result.calibration is None:
            yield "calibration", "utilisation is given without the calibration it was measured against — add it"
            return
        denominator, where = result.calibration.peak_flops_per_s, "calibration.peak_flops_per_s"
    if not _close(metrics.utilisation, metrics.achieved_flops_per_s / denominator):
        expected = metrics.achieved_flops_per_s / denominator
        yield "metrics.utilisation", (
            f"{metrics.utilisation:.3f} does not match achieved_flops_per_s / {where} "
            f"= {expected:.3f} — recompute it"
        )


def machine_peak_matches_run(result: Result) -> Iterator[tuple[str, str]]:
    peak = getattr(result, "machine_peak", None)
    if peak is None:
        return
    if peak.precision != result.config.precision:
        yield "machine_peak.precision", (f"a {peak.precision.value} peak for a {result.config.precision.value} run — "
                                         "use the peak of the run's precision")
    if result.config.threads > peak.threads:
        yield "machine_peak.threads", (f"the peak was measured on {peak.threads} threads, the run used "
                                       f"{result.config.threads} — calibrate on all the cores the runs may use")
    own = result.calibration
    if own is not None and result.config.threads == peak.threads and not any(_close(w.peak_flops_per_s, own.peak_flops_per_s) and w.framework == own.framework
                                   for w in peak.witnesses):
        yield "machine_peak.witnesses", "the run's own calibration is not among the peak's witnesses — add it"


def flops_match_throughput(result: Result) -> Iterator[tuple[str, str]]:
    metrics = getattr(result, "metrics", None)
    if metrics is None:
        return
    expected = metrics.flops_per_sample * metrics.throughput_samples_per_s
    if not _close(metrics.achieved_flops_per_s, expected):
        yield "metrics.achieved_flops_per_s", (
            f"{metrics.achieved_flops_per_s:.4g} does not match flops_per_sample × throughput = {expected:.4g}"
        )


def latency_percentiles_ordered(result: Result) -> Iterator[tuple[str, str]]:
    metrics = getattr(result, "metrics", None)
    if metrics is None:
        return
    p50, p90, p99 = metrics.latency_ms_p50, metrics.latency_ms_p90, metrics.latency_ms_p99
    given = [p for p in (p50, p90, p99) if p is not None]
    if given and len(given) != 3:
        yield "metrics.latency_ms_p50", "give all three latency percentiles (p50, p90, p99) or none"
    elif given and not p50 <= p90 <= p99:  # type: ignore[operator]
        yield "metrics.latency_ms_p90", f"percentiles must satisfy p50 ≤ p90 ≤ p99, got {p50} / {p90} / {p99}"


def batch1_latency_given(result: Result) -> Iterator[tuple[str, str]]:
    metrics = getattr(result, "metrics", None)
    if metrics is None:
        return
    batch_size = result.config.batch_size
    if batch_size == 1 and metrics.latency_ms_p50 is None:
        yield "metrics.latency_ms_p50", "a batch-1 run must record its latency percentiles (p50, p90, p99)"
    if batch_size != 1 and metrics.latency_ms_p50 is not None:
        yield "metrics.latency_ms_p50", f"latency percentiles are for batch 1 only; this run has batch {batch_size}"


def ci_contains_median(result: Result) -> Iterator[tuple[str, str]]:
    metrics = getattr(result, "metrics", None)
    if metrics is None:
        return
    low, high = metrics.throughput_ci95
    median = metrics.throughput_samples_per_s
    if not low <= high:
        yield "metrics.throughput_ci95", f"the interval's bounds are reversed: [{low}, {high}]"
    elif not low * (1 - 1e-9) <= median <= high * (1 + 1e-9):
        yield "metrics.throughput_ci95", (
            f"[{low:.4g}, {high:.4g}] does not contain the median throughput {median:.4g} — "
            "the interval is of the median, so it must contain it"
        )


def timing_matches_config(result: Result) -> Iterator[tuple[str, str]]:
    timing, metrics = getattr(result, "timing", None), getattr(result, "metrics", None)
    if timing is None or metrics is None:
        return
    config = result.config
    if len(timing.repeat_times_s) != config.repeats:
        yield "timing.repeat_times_s", (
            f"{len(timing.repeat_times_s)} repeat times for config.repeats = {config.repeats} — store every repeat"
        )
    expected_steps = config.repeats * config.measured_steps
    if timing.step_times_s and len(timing.step_times_s) != expected_steps:
        yield "timing.step_times_s", (
            f"{len(timing.step_times_s)} step times for repeats × measured_steps = {expected_steps} "
            "— store every measured step or none"
        )
    median_step = statistics.median(timing.repeat_times_s) / config.measured_steps
    if not _close(metrics.step_time_s_median, median_step):
        yield "metrics.step_time_s_median", (
            f"{metrics.step_time_s_median:.4g} s does not match the median repeat time / measured_steps "
            f"= {median_step:.4g} s"
        )
    if not _close(metrics.throughput_samples_per_s, config.batch_size / median_step):
        yield "metrics.throughput_samples_per_s", (
            f"{metrics.throughput_samples_per_s:.4g} does not match batch_size / median step time "
            f"= {config.batch_size / median_step:.4g}"
        )
    if not timing.synchronised:
        yield "timing.synchronised", "the clock was read without synchronising the device — the times are not valid"


def calibration_matches_run(result: Result) -> Iterator[tuple[str, str]]:
    calibration = getattr(result, "calibration", None)
    if calibration is not None and calibration.framework != result.config.framework:
        yield "calibration.framework", (
            f"{calibration.framework!r} calibration for a {result.config.framework!r} run — "
            "calibrate in the same framework"
        )


def accuracy_epochs_in_order(result: Result) -> Iterator[tuple[str, str]]:
    if not isinstance(result, AccuracyResult):
        return
    numbers = [epoch.epoch for epoch in result.epochs]
    if numbers != list(range(1, len(numbers) + 1)):
        yield "epochs", f"epochs must be numbered 1, 2, 3, … in order, got {numbers[:10]}"
    if result.status is Status.ok and result.final_test_accuracy is None:
        yield "final_test_accuracy", "an ok accuracy run must record its final test accuracy"


PERFORMANCE_RULES: tuple[Rule, ...] = (
    complete_environment,
    dates_in_the_past,
    positive_throughput,
    utilisation_at_most_one,
    flops_match_throughput,
    latency_percentiles_ordered,
    batch1_latency_given,
    ci_contains_median,
    timing_matches_config,
    calibration_matches_run,
    machine_peak_matches_run,
)
ACCURACY_RULES: tuple[Rule, ...] = (complete_environment, dates_in_the_past, accuracy_epochs_in_order)


# --- Deployment results -----------------------------------------------------------------------------------------


def deploy_latency_consistent(result: Result) -> Iterator[tuple[str, str]]:
    """The percentiles are of the stored step times, so they must be ordered and as many steps as configured."""
    cost = getattr(result, "cost", None)
    if not isinstance(result, DeploymentResult) or cost is None:
        return
    p50, p90, p99 = cost.latency_ms_p50, cost.latency_ms_p90, cost.latency_ms_p99
    if not p50 <= p90 <= p99:
        yield "cost.latency_ms_p90", f"percentiles must satisfy p50 ≤ p90 ≤ p99, got {p50} / {p90} / {p99}"
    expected = result.config.latency_repeats * result.config.latency_steps
    if len(cost.latency_step_times_s) != expected:
        yield "cost.latency_step_times_s", (
            f"{len(cost.latency_step_times_s)} step times for latency_repeats × latency_steps = {expected} "
            "— store every timed call")
    median_ms = statistics.median(cost.latency_step_times_s) * 1e3
    if not _close(p50, median_ms):
        yield "cost.latency_ms_p50", f"{p50:.4g} ms is not the median of the stored step times ({median_ms:.4g} ms)"


def deploy_throughput_consistent(result: Result) -> Iterator[tuple[str, str]]:
    cost = getattr(result, "cost", None)
    if not isinstance(result, DeploymentResult) or cost is None:
        return
    if cost.throughput_samples_per_s is None:
        if not cost.throughput_note:
            yield "cost.throughput_note", "no batched throughput and no reason given — say why (static batch?)"
        return
    times = cost.throughput_repeat_times_s
    if len(times) != result.config.throughput_repeats:
        yield "cost.throughput_repeat_times_s", (
            f"{len(times)} repeat times for throughput_repeats = {result.config.throughput_repeats}")
        return
    expected = result.config.throughput_batch / statistics.median(times)
    if not _close(cost.throughput_samples_per_s, expected):
        yield "cost.throughput_samples_per_s", (
            f"{cost.throughput_samples_per_s:.4g} does not match throughput_batch / median repeat time "
            f"= {expected:.4g}")
    if cost.throughput_ci95 is None:
        yield "cost.throughput_ci95", "a throughput needs its 95% interval"
    elif not cost.throughput_ci95[0] * (1 - 1e-9) <= cost.throughput_samples_per_s <= cost.throughput_ci95[1] * (
            1 + 1e-9):
        yield "cost.throughput_ci95", "the interval does not contain the median throughput"


def deploy_outcome_matches_fidelity(result: Result) -> Iterator[tuple[str, str]]:
    """An enforced tolerance decides the outcome; an int8 path reports its drift and is never failed for it."""
    fidelity = getattr(result, "fidelity", None)
    if not isinstance(result, DeploymentResult) or fidelity is None:
        return
    if fidelity.tolerance.enforced and result.outcome is DeployOutcome.ok and not fidelity.within_tolerance:
        yield "outcome", "'ok', but the outputs break the enforced tolerance — the outcome is 'outputs-differ'"
    if result.outcome is DeployOutcome.outputs_differ and (fidelity.within_tolerance or
                                                           not fidelity.tolerance.enforced):
        yield "outcome", "'outputs-differ', but the outputs are within an enforced tolerance (or none is enforced)"
    if fidelity.top1_agreement is None and fidelity.box_agreement is None:
        yield "fidelity", "give top1_agreement (classifier) or box_agreement (detector)"


def deploy_versions_recorded(result: Result) -> Iterator[tuple[str, str]]:
    if not isinstance(result, DeploymentResult):
        return
    for name, version in result.versions.items():
        if version.strip().lower() in _PLACEHOLDERS:
            yield f"versions.{name}", "is empty or a placeholder — the harness records every package's version"


DEPLOYMENT_RULES: tuple[Rule, ...] = (
    complete_environment,
    dates_in_the_past,
    deploy_latency_consistent,
    deploy_throughput_consistent,
    deploy_outcome_matches_fidelity,
    deploy_versions_recorded,
)


# --- Distributed results ----------------------------------------------------------------------------------------


def distributed_batches_consistent(result: Result) -> Iterator[tuple[str, str]]:
    """The scaling kind is what the batches say: strong keeps the global batch, weak the per-worker batch."""
    if not isinstance(result, DistributedResult):
        return
    c = result.config
    if c.global_batch != c.per_worker_batch * c.workers:
        yield "config.global_batch", (f"{c.global_batch} is not per_worker_batch × workers = "
                                      f"{c.per_worker_batch * c.workers}")
    expected = {ScalingKind.baseline: c.workers == 1,
                ScalingKind.strong: c.workers > 1 and c.global_batch == c.equivalence_batch,
                ScalingKind.weak: c.workers > 1 and c.per_worker_batch == c.equivalence_batch}
    if not expected[c.scaling]:
        yield "config.scaling", (f"{c.scaling.value!r} does not fit {c.workers} worker(s) × {c.per_worker_batch} "
                                 f"(baseline: 1 worker; strong: global batch = {c.equivalence_batch}; weak: "
                                 f"per-worker batch = {c.equivalence_batch})")
    if c.device == "cpu" and c.workers * c.threads_per_worker > result.environment.cpu_cores_logical:
        yield "config.threads_per_worker", (
            f"{c.workers} × {c.threads_per_worker} threads exceed the machine's "
            f"{result.environment.cpu_cores_logical} cores — each worker gets its share of the cores")


def distributed_timing_matches_config(result: Result) -> Iterator[tuple[str, str]]:
    """Every worker's every repeat is stored, and a repeat's time is the slowest worker's."""
    timing = getattr(result, "timing", None)
    if not isinstance(result, DistributedResult) or timing is None:
        return
    c = result.config
    if len(timing.repeat_times_s) != c.repeats:
        yield "timing.repeat_times_s", f"{len(timing.repeat_times_s)} repeat times for repeats = {c.repeats}"
    if len(timing.worker_repeat_times_s) != c.workers:
        yield "timing.worker_repeat_times_s", f"{len(timing.worker_repeat_times_s)} workers' times for {c.workers}"
        return
    if any(len(times) != len(timing.repeat_times_s) for times in timing.worker_repeat_times_s):
        yield "timing.worker_repeat_times_s", "every worker needs one time per repeat"
        return
    slowest = [max(times) for times in zip(*timing.worker_repeat_times_s, strict=True)]
    if any(not _close(a, b, 1e-6) for a, b in zip(slowest, timing.repeat_times_s, strict=True)):
        yield "timing.repeat_times_s", "a repeat's time must be the slowest worker's time for it"
    if timing.step_times_s and len(timing.step_times_s) != c.repeats * c.measured_steps:
        yield "timing.step_times_s", (f"{len(timing.step_times_s)} step times for repeats × measured_steps = "
                                      f"{c.repeats * c.measured_steps}")


def distributed_throughput_consistent(result: Result) -> Iterator[tuple[str, str]]:
    metrics, timing = getattr(result, "metrics", None), getattr(result, "timing", None)
    if not isinstance(result, DistributedResult) or metrics is None or timing is None:
        return
    c = result.config
    median = statistics.median(timing.repeat_times_s)
    expected = c.global_batch * c.measured_steps / median
    if not _close(metrics.throughput_samples_per_s, expected):
        yield "metrics.throughput_samples_per_s", (
            f"{metrics.throughput_samples_per_s:.4g} is not global_batch × measured_steps / median repeat time "
            f"= {expected:.4g}")
    low, high = metrics.throughput_ci95
    if not low * (1 - 1e-9) <= metrics.throughput_samples_per_s <= high * (1 + 1e-9):
        yield "metrics.throughput_ci95", "the interval does not contain the median throughput"
    if not _close(metrics.step_time_s_median, median / c.measured_steps):
        yield "metrics.step_time_s_median", "is not the median repeat time / measured_steps"


def distributed_equivalence_consistent(result: Result) -> Iterator[tuple[str, str]]:
    """A check says pass exactly when its numbers are within its tolerance; the 1-worker run is the reference."""
    if not isinstance(result, DistributedResult):
        return
    check = result.equivalence
    if result.config.workers == 1:
        if check is not None:
            yield "equivalence", "a 1-worker run is the reference of the check; it has no check of its own"
        return
    if check is None:
        if result.status is Status.ok:
            yield "equivalence", "a multi-worker run needs its equivalence check"
        return
    within = check.max_rel_diff <= check.rtol and check.initial_max_abs_diff <= check.atol
    if check.passed and not within:
        yield "equivalence.passed", (f"true, but max_rel_diff {check.max_rel_diff:.3g} > rtol {check.rtol:g} or the "
                                     "initial weights differ — it failed")
    if not check.passed and within and result.status is Status.ok:
        yield "equivalence.passed", "false on an ok run — a failed check makes the run failed (stage equivalence)"


def distributed_versions_recorded(result: Result) -> Iterator[tuple[str, str]]:
    if not isinstance(result, DistributedResult):
        return
    if not result.versions:
        yield "versions", "no package versions — the harness records the framework's"
    for name, version in result.versions.items():
        if version.strip().lower() in _PLACEHOLDERS:
            yield f"versions.{name}", "is empty or a placeholder — the harness records every package's version"


DISTRIBUTED_RULES: tuple[Rule, ...] = (
    complete_environment,
    dates_in_the_past,
    distributed_batches_consistent,
    distributed_timing_matches_config,
    distributed_throughput_consistent,
    distributed_equivalence_consistent,
    distributed_versions_recorded,
)
