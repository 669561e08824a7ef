"""Load the stored benchmark results, check them like the YAML, and hand the site one table.

Every ``*.json`` under ``data/results/`` is read, validated against the result schema (``generator.results.schema``),
then checked for plausibility by the small rules in ``generator.results.rules`` (one function each, yielding
``(field, message)``). A file that fails either is reported as ``path:line: field: what is wrong — how to fix
it`` and left out of the site; nothing else stops the build. Results are contributed by pull request like the
knowledge base, so the same bar applies: a number we cannot trust never reaches a chart.

Busy-flagged runs (the machine was loaded before or after the run) are valid data but are left out of the
comparisons unless ``include_busy`` is set; the site lists them separately.
"""


from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from generator.problems import Problem, Severity, relative
from generator.results.rules import (
    ACCURACY_RULES,
    DEPLOYMENT_RULES,
    DISTRIBUTED_RULES,
    PERFORMANCE_RULES,
    Result,
)
from generator.results.schema import (
    AccuracyResult,
    DeploymentResult,
    DistributedResult,
    PerformanceResult,
    ResultFile,
    Status,
)
from generator.results.table import (
    COLUMNS,
    DEPLOYMENT_COLUMNS,
    DISTRIBUTED_COLUMNS,
    UNCOMPARED_SUITES,
    build_deployment_frame,
    build_distributed_frame,
    build_frame,
)

__all__ = ["ResultSet", "Result", "load_results", "read_result", "validate_results", "json_lines"]


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
        return "missing required field — add it (the schema is generator/results/schema.py)"
    if kind == "extra_forbidden":
        return "unknown field — remove it or fix its spelling (the schema is generator/results/schema.py)"
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
                where, message = "kind", "must be 'performance', 'accuracy', 'deployment' or 'distributed'"
            problems.append(problem(f"{where}: {message}" if where else message, line_of(loc)))
        return _FileReport(None, problems)

    problems = []
    if path.stem != result.result_id:
        problems.append(problem(f"result_id: {result.result_id!r} must equal the file name ({path.stem!r}.json)",
                                line_of(("result_id",))))
    rules = {PerformanceResult: PERFORMANCE_RULES, AccuracyResult: ACCURACY_RULES,
             DeploymentResult: DEPLOYMENT_RULES, DistributedResult: DISTRIBUTED_RULES}[type(result)]
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
    # Every deployment cell, failed ones included, busy ones only with include_busy (api/deployment.csv).
    deployment_frame: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(DEPLOYMENT_COLUMNS)))
    # Every distributed run, failed ones included, busy ones only with include_busy (api/distributed.csv).
    distributed_frame: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(DISTRIBUTED_COLUMNS)))

    @property
    def performance(self) -> list[PerformanceResult]:
        return [r for r in self.results if isinstance(r, PerformanceResult)]

    @property
    def accuracy(self) -> list[AccuracyResult]:
        return [r for r in self.results if isinstance(r, AccuracyResult)]

    @property
    def deployment(self) -> list[DeploymentResult]:
        return [r for r in self.results if isinstance(r, DeploymentResult)]

    @property
    def distributed(self) -> list[DistributedResult]:
        return [r for r in self.results if isinstance(r, DistributedResult)]

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
    resultset.frame = build_frame(resultset.compared,
                                  [r for r in resultset.performance if r.status is Status.ok])
    resultset.deployment_frame = build_deployment_frame(
        [r for r in resultset.deployment if include_busy or not r.environment.busy])
    resultset.distributed_frame = build_distributed_frame(
        [r for r in resultset.distributed if include_busy or not r.environment.busy])
    return resultset


def validate_results(results_dir: Path, repo_root: Path | None = None) -> list[Problem]:
    """What ``invoke validate`` reports for the results folder: errors fail it, warnings don't."""
    return sorted(load_results(results_dir, repo_root=repo_root).problems)
