"""Provenance: the machines results came from, every run (one anchor each), and the downloadable data.

Every number elsewhere on the site links to ``benchmarks/runs.md#run-<result id>``; the run's row there names its
machine (``benchmarks/environments.md#machine-<hash>``), its configuration, its status and the JSON file it was read
from, so a reader can go from a bar in a chart to the raw repeat times in three clicks.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from generator.results.load import Result
from generator.results.schema import (
    RESULT_SCHEMA_VERSION,
    AccuracyResult,
    DeploymentResult,
    DistributedResult,
    PerformanceResult,
    Status,
)
from generator.results.table import COLUMNS, DEPLOYMENT_COLUMNS, DISTRIBUTED_COLUMNS, UNCOMPARED_SUITES
from generator.site.charts import Table
from generator.site.context import Asset, Page, SiteContext
from generator.site.markdown_pages import MarkdownPage, md_link, md_render
from generator.site.markup import external_link, inert

SECTION = "Benchmarks"
ENVIRONMENTS_PAGE = "benchmarks/environments.md"
RUNS_PAGE = "benchmarks/runs.md"
DOWNLOADS_PAGE = "benchmarks/data.md"
FACTCHECK_PAGE = "fact-check.md"
RESULTS_CSV = "api/results.csv"
RESULTS_JSON = "api/results.json"
DEPLOYMENT_CSV = "api/deployment.csv"
DISTRIBUTED_CSV = "api/distributed.csv"


def _slug(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "x"
    if slug != value:  # keep anchors unique when two ids differ only in characters the slug drops
        slug += "-" + hashlib.sha1(value.encode()).hexdigest()[:6]
    return slug


def run_anchor(result_id: str) -> str:
    return f"run-{_slug(result_id)}"


def machine_anchor(machine_id: str) -> str:
    return f"machine-{_slug(machine_id)}"


def _config(result: Result) -> dict[str, Any]:
    """What ran, the same fields for both kinds of result."""
    if isinstance(result, PerformanceResult):
        c = result.config
        return {"task": c.task, "framework": c.framework, "setup": f"{c.mode.value} · {c.precision.value}",
                "phase": c.phase.value, "batch": c.batch_size, "device": c.device}
    if isinstance(result, DeploymentResult):
        c = result.config
        return {"task": c.task, "framework": c.source_framework, "setup": f"{c.path} · {c.precision}",
                "phase": "deployment", "batch": f"1 / {c.throughput_batch}", "device": c.device}
    if isinstance(result, DistributedResult):
        c = result.config
        return {"task": c.task, "framework": c.framework,
                "setup": f"{c.workers} worker(s) × {c.threads_per_worker} core(s) · {c.scaling.value}",
                "phase": "distributed training", "batch": f"{c.per_worker_batch} / {c.global_batch}",
                "device": c.device}
    return {"task": result.task, "framework": result.framework, "setup": f"seed {result.seed}",
            "phase": "accuracy", "batch": result.config.get("batch_size", "—"), "device": "—"}


def _status(result: Result, include_busy: bool) -> str:
    if isinstance(result, DeploymentResult) and result.status is Status.failed:
        if result.failure:
            return f"{result.outcome.value} ({result.failure.stage.value}): {result.failure.message[:160]}"
        return f"{result.outcome.value}: max relative difference {result.fidelity.max_rel_diff:.2g}"
    if isinstance(result, DistributedResult) and result.status is Status.failed and result.failure:
        return (f"failed ({result.failure.kind.value}, {result.failure.stage.value}): "
                f"{result.failure.message[:160]}")
    if result.status is Status.failed and result.failure:
        return f"failed ({result.failure.kind.value}): {result.failure.message[:160]}"
    if result.environment.busy and not include_busy:
        share = result.environment.foreign_cpu_share
        other = f" (other processes used {share:.0%} of the CPU)" if share is not None else ""
        return f"busy machine{other}: left out of the comparisons"
    if isinstance(result, PerformanceResult | DeploymentResult | DistributedResult) and \
            result.config.suite in UNCOMPARED_SUITES:
        return "smoke suite: checks the harness, not compared"
    return "ok"


def _headline(result: Result) -> str:
    if isinstance(result, PerformanceResult | DistributedResult) and result.metrics:
        return f"{result.metrics.throughput_samples_per_s:,.4g} samples/s"
    if isinstance(result, DeploymentResult) and result.cost:
        return f"{result.cost.latency_ms_p50:,.3g} ms at batch 1"
    if isinstance(result, AccuracyResult) and result.final_test_accuracy is not None:
        return f"{result.final_test_accuracy:.2%} test accuracy"
    return "—"


def _by_machine(ctx: SiteContext) -> dict[str, list[Result]]:
    machines: dict[str, list[Result]] = defaultdict(list)
    for result in sorted(ctx.results.results, key=lambda r: (r.environment.hostname_hash, r.started_at)):
        machines[result.environment.hostname_hash].append(result)
    return dict(machines)


def _distinct(values: list[Any]) -> str:
    shown = list(dict.fromkeys("—" if v in (None, "", {}) else _format(v) for v in values))
    return "; ".join(shown)


def _format(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "—"
    if isinstance(value, tuple):
        return " / ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


HARDWARE_FIELDS = {
    "machine_label": "Machine",
    "cpu_model": "CPU",
    "cpu_cores_logical": "Logical cores",
    "cpu_cores_physical": "Physical cores",
    "memory_gb": "Memory (GB)",
    "gpu_model": "GPU",
    "gpu_driver": "GPU driver",
    "cuda_version": "CUDA",
    "cudnn_version": "cuDNN",
    "os": "Operating system",
    "python": "Python",
    "command": "Harness command",
    "git_dirty": "Uncommitted harness changes",
}
SOFTWARE_FIELDS = {
    "framework_version": "Version",
    "framework_build": "Build",
    "thread_env": "Thread environment",
}


def environments_page(ctx: SiteContext) -> Page:
    kit = MarkdownPage(ctx, ENVIRONMENTS_PAGE)
    machines = []
    for machine_id, results in _by_machine(ctx).items():
        environments = [r.environment for r in results]
        hardware = [[label, _distinct([getattr(env, name) for env in environments])]
                    for name, label in HARDWARE_FIELDS.items()]
        software = []
        by_framework: dict[str, list[Result]] = defaultdict(list)
        for result in results:
            by_framework[_config(result)["framework"]].append(result)
        for framework, runs in sorted(by_framework.items()):
            software.append([framework, *[_distinct([getattr(r.environment, name) for r in runs])
                                          for name in SOFTWARE_FIELDS],
                             _distinct([r.environment.git_commit[:12] for r in runs])])
        statuses = [_status(r, ctx.results.include_busy) for r in results]
        machines.append({
            "anchor": machine_anchor(machine_id),
            "label": results[-1].environment.machine_label,
            "machine_id": machine_id,
            "hardware": Table(["Machine, system and harness", "Value"], hardware).markdown(),
            "software": Table(["Framework", *SOFTWARE_FIELDS.values(), "Harness commit"], software).markdown(),
            "counts": {"ok": statuses.count("ok"), "failed": sum(r.status is Status.failed for r in results),
                       "busy": sum(s.startswith("busy") for s in statuses)},
            "first": min(r.started_at for r in results).date().isoformat(),
            "last": max(r.finished_at for r in results).date().isoformat(),
            "runs": kit.link("every run on this machine", RUNS_PAGE, f"runs-{machine_anchor(machine_id)}"),
        })
    body = md_render("benchmarks/environments.md.j2", machines=machines)
    return kit.page("Machines", body, section=SECTION, order=90,
                    description="Every machine our benchmark results came from, with its full environment.")


def runs_page(ctx: SiteContext) -> Page:
    kit = MarkdownPage(ctx, RUNS_PAGE)
    sections = []
    for machine_id, results in _by_machine(ctx).items():
        rows = []
        for result in results:
            config = _config(result)
            path = ctx.results.paths.get(result.result_id, "")
            file_link = (external_link(f"{ctx.repo_url}/blob/main/{quote(path)}", "JSON")
                         if ctx.repo_url.startswith(("https://", "http://")) and path else inert(path or "—"))
            rows.append([
                Markup(f'<span id="{run_anchor(result.result_id)}"></span>') + inert(result.result_id),
                config["task"], config["framework"], result.environment.framework_version, config["setup"],
                config["phase"], config["batch"], config["device"], _headline(result),
                _status(result, ctx.results.include_busy), result.finished_at.strftime("%Y-%m-%d %H:%M"),
                result.environment.git_commit[:10], file_link,
            ])
        sections.append({
            "anchor": f"runs-{machine_anchor(machine_id)}",
            "label": results[-1].environment.machine_label,
            "machine": kit.link("environment", ENVIRONMENTS_PAGE, machine_anchor(machine_id)),
            "rows": rows,
        })
    headers = ["Run", "Task", "Framework", "Version", "Setup", "Phase", "Batch", "Device", "Result", "Status",
               "Finished (UTC)", "Commit", "File"]
    body = md_render("benchmarks/runs.md.j2",
                  sections=[{**s, "table": Table(headers, s["rows"]).markdown()} for s in sections],
                  count=len(ctx.results.results),
                  problems=len([p for p in ctx.results.problems if p.severity == "error"]))
    return kit.page("Every run", body, section=SECTION, order=91,
                    description="Every benchmark run behind the site's numbers, with its status and raw file.")


def downloads_page(ctx: SiteContext) -> Page:
    kit = MarkdownPage(ctx, DOWNLOADS_PAGE)
    body = md_render(
        "benchmarks/data.md.j2",
        columns=[{"name": Markup(f"`{name}`"), "meaning": meaning} for name, meaning in COLUMNS.items()],
        deployment_columns=[{"name": Markup(f"`{name}`"), "meaning": meaning}
                            for name, meaning in DEPLOYMENT_COLUMNS.items()],
        csv=md_link("results.csv", DOWNLOADS_PAGE, RESULTS_CSV),
        json=md_link("results.json", DOWNLOADS_PAGE, RESULTS_JSON),
        deployment_csv=md_link("deployment.csv", DOWNLOADS_PAGE, DEPLOYMENT_CSV),
        deployment_rows=len(ctx.results.deployment_frame),
        distributed_columns=[{"name": Markup(f"`{name}`"), "meaning": meaning}
                             for name, meaning in DISTRIBUTED_COLUMNS.items()],
        distributed_csv=md_link("distributed.csv", DOWNLOADS_PAGE, DISTRIBUTED_CSV),
        distributed_rows=len(ctx.results.distributed_frame),
        rows=len(ctx.results.frame),
    )
    return kit.page("Download the data", body, section=SECTION, order=92,
                    description="Every measurement as CSV and JSON, one row per measurement, columns documented.")


# --------------------------------------------------------------------------------------------------------------
# api/results.csv and api/results.json
# --------------------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON/CSV value: timestamps as ISO 8601, NaN as null, numpy scalars as Python numbers."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def measurements(ctx: SiteContext) -> list[dict[str, Any]]:
    return [{column: _plain(row[column]) for column in COLUMNS} for row in ctx.results.frame.to_dict("records")]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """Contributors' text cannot become a spreadsheet formula (OWASP CSV injection); numbers are untouched."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _csv(columns: dict[str, str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([_csv_cell(_plain(row[column])) for column in columns])
    return buffer.getvalue().encode("utf-8")


def results_csv(ctx: SiteContext) -> bytes:
    return _csv(COLUMNS, measurements(ctx))


def deployment_csv(ctx: SiteContext) -> bytes:
    """Every deployment cell, failed ones with their stage, first error line and command."""
    return _csv(DEPLOYMENT_COLUMNS, ctx.results.deployment_frame.to_dict("records"))


def distributed_csv(ctx: SiteContext) -> bytes:
    """Every distributed run, failed ones with their stage and reason, with speedup and scaling efficiency."""
    return _csv(DISTRIBUTED_COLUMNS, ctx.results.distributed_frame.to_dict("records"))


def results_json(ctx: SiteContext) -> bytes:
    failed = [
        {"result_id": r.result_id, **_config(r), "failure": r.failure.kind.value, "message": r.failure.message}
        for r in ctx.results.failed if r.failure
    ]
    document = {
        "schema_version": RESULT_SCHEMA_VERSION,
        "generated_at": ctx.built_at.isoformat(),
        "columns": COLUMNS,
        "measurements": measurements(ctx),
        "failed": failed,
        "excluded_busy": [] if ctx.results.include_busy else [r.result_id for r in ctx.results.busy],
    }
    return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")


def pages(ctx: SiteContext) -> list[Page | Asset]:
    return [
        environments_page(ctx),
        runs_page(ctx),
        downloads_page(ctx),
        Asset(RESULTS_CSV, results_csv(ctx)),
        Asset(RESULTS_JSON, results_json(ctx)),
        Asset(DEPLOYMENT_CSV, deployment_csv(ctx)),
        Asset(DISTRIBUTED_CSV, distributed_csv(ctx)),
    ]
