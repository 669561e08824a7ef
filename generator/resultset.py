"""Load the stored benchmark results, check them like the YAML, and hand the site one table.

Every ``*.json`` under ``data/results/`` is read, validated against the result schema (``generator.results``),
then checked for plausibility by the small rules in :data:`PLAUSIBILITY_RULES` (one function each, yielding
``(field, message)``). A file that fails either is reported as ``path:line: field: what is wrong — how to fix
it`` and left out of the site; nothing else stops the build. Results are contributed by pull request like the
knowledge base, so the same bar applies: a number we cannot trust never reaches a chart.

Busy-flagged runs (the machine was loaded before or after the run) are valid data but are left out of the
comparisons unless ``include_busy`` is set; the site lists them separately.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from generator.problems import Problem, Severity, relative
from generator.results import AccuracyResult, PerformanceResult, ResultFile, Status

Result = PerformanceResult | AccuracyResult

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
_PLACEHOLDERS = {"", "unknown", "n/a", "na", "none", "null", "?", "todo"}
_RELATIVE_TOLERANCE = 0.05  # derived figures must agree with what they are derived from within 5%


# --------------------------------------------------------------------------------------------------------------
# Plausibility rules: each takes a schema-valid result and yields (field, message). Add a rule = add a function.
# --------------------------------------------------------------------------------------------------------------

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
    calibration = result.calibration
    if calibration is None:
        yield "calibration", "utilisation is given without the calibration it was measured against — add it"
    elif not _close(metrics.utilisation, metrics.achieved_flops_per_s / calibration.peak_flops_per_s):
        expected = metrics.achieved_flops_per_s / calibration.peak_flops_per_s
        yield "metrics.utilisation", (
            f"{metrics.utilisation:.3f} does not match achieved_flops_per_s / calibration.peak_flops_per_s "
            f"= {expected:.3f} — recompute it"
        )


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
)
ACCURACY_RULES: tuple[Rule, ...] = (complete_environment, dates_in_the_past, accuracy_epochs_in_order)


# --------------------------------------------------------------------------------------------------------------
# Reading one file: JSON with line numbers, the schema, then the rules.
# --------------------------------------------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def json_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each JSON path (``("config", "task")``) to the 1-based line where its key (or item) starts.

    Only called when a file has problems, so contributors get ``path:line:`` like the YAML; a small walker over
    the already-valid text, using the standard library's decoder for strings and scalars.
    """
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    decoder = json.JSONDecoder()
    lines: dict[tuple[str | int, ...], int] = {}

    def line_at(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    def skip(pos: int) -> int:
        return _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]

    def value(pos: int, path: tuple[str | int, ...]) -> int:
        pos = skip(pos)
        lines.setdefault(path, line_at(pos))
        if text[pos] == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key_pos = skip(pos)
                key, pos = json.decoder.scanstring(text, key_pos + 1)
                lines[path + (key,)] = line_at(key_pos)
                pos = value(skip(pos) + 1, path + (key,))
                pos = skip(pos)
                if text[pos] == "}":
                    return pos + 1
                pos += 1
        if text[pos] == "[":
            pos, index = skip(pos + 1), 0
            if text[pos] == "]":
                return pos + 1
            while True:
                pos = skip(value(pos, path + (index,)))
                if text[pos] == "]":
                    return pos + 1
                pos, index = pos + 1, index + 1
        _, end = decoder.raw_decode(text, pos)
        return end

    value(0, ())
    return lines


def _schema_message(error: dict[str, Any]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "missing":
        return "missing required field — add it (the schema is generator/results.py)"
    if kind == "extra_forbidden":
        return "unknown field — remove it or fix its spelling (the schema is generator/results.py)"
    message = message.removeprefix("Value error, ")
    if kind in {"value_error", "assertion_error"} or "input" not in error:
        return message
    shown = repr(error["input"])
    return f"{message} (got {shown[:80] + '…' if len(shown) > 80 else shown})"


@dataclass(frozen=True)
class _FileReport:
    result: Result | None
    problems: list[Problem]


def read_result(path: Path, repo_root: Path | None = None) -> _FileReport:
    """Read and check one result file; every problem found is returned, none raised."""
    shown = relative(path, repo_root)

    def problem(message: str, line: int | None = None, severity: Severity = Severity.error) -> Problem:
        return Problem(shown, line, message, severity)

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return _FileReport(None, [problem(f"not UTF-8 (byte {error.start}) — save the file as UTF-8")])
    except OSError as error:
        return _FileReport(None, [problem(f"cannot be read: {error.strerror}")])
    if not text.strip():
        return _FileReport(None, [problem("empty file — a result file holds one JSON object written by the harness")])
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as error:
        return _FileReport(None, [problem(f"duplicate key {error.args[0]!r} — keep one")])
    except json.JSONDecodeError as error:
        return _FileReport(None, [problem(f"invalid JSON: {error.msg} (column {error.colno})", error.lineno)])
    if not isinstance(document, dict):
        return _FileReport(None, [problem(f"top level is a {type(document).__name__}, not a JSON object", 1)])

    locations: dict[tuple[str | int, ...], int] | None = None

    def line_of(path_in_doc: tuple[str | int, ...]) -> int | None:
        nonlocal locations
        locations = locations if locations is not None else json_lines(text)
        while path_in_doc and path_in_doc not in locations:
            path_in_doc = path_in_doc[:-1]
        return locations.get(path_in_doc)

    try:
        result = ResultFile.model_validate({"result": document}).result
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])[1:]  # drop the wrapper's "result"
            if loc and loc[0] == document.get("kind"):
                loc = loc[1:]  # and the discriminator's tag
            where = ".".join(str(part) for part in loc)
            message = _schema_message(item)
            if item["type"] in {"union_tag_invalid", "union_tag_not_found"}:
                where, message = "kind", "must be 'performance' or 'accuracy'"
            problems.append(problem(f"{where}: {message}" if where else message, line_of(loc)))
        return _FileReport(None, problems)

    problems = []
    if path.stem != result.result_id:
        problems.append(problem(f"result_id: {result.result_id!r} must equal the file name ({path.stem!r}.json)",
                                line_of(("result_id",))))
    rules = PERFORMANCE_RULES if isinstance(result, PerformanceResult) else ACCURACY_RULES
    for rule in rules:
        for where, message in rule(result):
            loc = tuple(int(part) if part.isdigit() else part for part in where.split("."))
            problems.append(problem(f"{where}: {message}", line_of(loc)))
    return _FileReport(None if problems else result, problems)


# --------------------------------------------------------------------------------------------------------------
# The whole folder.
# --------------------------------------------------------------------------------------------------------------


@dataclass
class ResultSet:
    """Every valid result, the problems of the invalid ones, and the measurements as one DataFrame."""

    results: list[Result] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)  # result_id -> file path relative to the repo root
    include_busy: bool = False
    frame: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(COLUMNS)))

    @property
    def performance(self) -> list[PerformanceResult]:
        return [r for r in self.results if isinstance(r, PerformanceResult)]

    @property
    def accuracy(self) -> list[AccuracyResult]:
        return [r for r in self.results if isinstance(r, AccuracyResult)]

    @property
    def failed(self) -> list[Result]:
        """Runs that crashed, ran out of memory, timed out or were unsupported; the pages show them with why."""
        return [r for r in self.results if r.status is Status.failed]

    @property
    def busy(self) -> list[Result]:
        """Valid runs taken on a loaded machine: listed on the site, left out of its comparisons by default."""
        return [r for r in self.results if r.environment.busy]

    @property
    def compared(self) -> list[PerformanceResult]:
        """The ok performance results the comparisons use: not smoke runs, and busy ones only when include_busy."""
        return [
            r for r in self.performance
            if r.status is Status.ok and r.config.suite not in UNCOMPARED_SUITES
            and (self.include_busy or not r.environment.busy)
        ]

    def by_id(self, result_id: str) -> Result | None:
        return next((r for r in self.results if r.result_id == result_id), None)


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


def load_results(results_dir: Path, *, include_busy: bool = False, repo_root: Path | None = None) -> ResultSet:
    """Load and check every ``*.json`` under ``results_dir`` (missing folder = no results, not an error)."""
    results_dir = Path(results_dir)
    resultset = ResultSet(include_busy=include_busy)
    if not results_dir.exists():
        return resultset
    first_seen: dict[str, str] = {}
    for path in sorted(results_dir.rglob("*.json")):
        report = read_result(path, repo_root)
        resultset.problems.extend(report.problems)
        if report.result is None:
            continue
        shown = relative(path, repo_root)
        if report.result.result_id in first_seen:
            resultset.problems.append(Problem(
                shown, None,
                f"result_id: {report.result.result_id!r} is also used by {first_seen[report.result.result_id]} "
                "— every run needs its own id",
            ))
            continue
        first_seen[report.result.result_id] = shown
        resultset.results.append(report.result)
        resultset.paths[report.result.result_id] = shown
    for result in resultset.busy:
        resultset.problems.append(Problem(
            resultset.paths[result.result_id], None,
            "environment.busy: the machine was loaded during this run — it is listed but left out of the "
            "comparisons; rerun on a quiet machine",
            Severity.warning,
        ))
    resultset.frame = build_frame(resultset.compared)
    return resultset


def validate_results(results_dir: Path, repo_root: Path | None = None) -> list[Problem]:
    """What ``invoke validate`` reports for the results folder: errors fail it, warnings don't."""
    return sorted(load_results(results_dir, repo_root=repo_root).problems)
