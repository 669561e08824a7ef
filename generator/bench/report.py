"""What a person sees while a suite runs: a progress bar, the plan, and a summary table. Rich, framework-free."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from generator.results.schema import (
    DeployConfig,
    DeploymentResult,
    DistributedConfig,
    DistributedResult,
    PerformanceResult,
    RunConfig,
    Status,
)


def describe(config: RunConfig | DeployConfig | DistributedConfig) -> str:
    if isinstance(config, DistributedConfig):
        return (f"{config.task} · {config.framework} · {config.workers} worker(s) × {config.per_worker_batch} "
                f"({config.scaling.value})")
    if isinstance(config, DeployConfig):
        return f"{config.task} · {config.path} ({config.format} → {config.runtime})"
    return (f"{config.task} · {config.framework} · {config.mode} · {config.precision} · {config.phase} · "
            f"batch {config.batch_size}")


class SuiteProgress:
    """A bar over the suite's runs: the current workload, runs done, time elapsed and an estimate of time left."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("left"), TimeRemainingColumn(), console=console, transient=False,
        )
        self.task_id = self.bar.add_task("starting", total=total)

    def __enter__(self) -> Self:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def starting(self, index: int, total: int, config: RunConfig, kept: bool) -> None:
        if kept:
            self.bar.console.print(f"[dim]kept (--resume): {describe(config)}")
            self.bar.advance(self.task_id)
        else:
            self.bar.update(self.task_id, description=describe(config))

    def finished(self, result: PerformanceResult | DeploymentResult) -> None:
        if isinstance(result, DeploymentResult):
            colour = "green" if result.status is Status.ok else "red"
            latency = f": {result.cost.latency_ms_p50:.2f} ms at batch 1" if result.cost else ""
            self.bar.console.print(f"[{colour}]{result.outcome.value}[/] {describe(result.config)}{latency}")
            self.bar.advance(self.task_id)
            return
        if result.status is Status.ok and result.metrics:
            line = f"[green]ok[/] {describe(result.config)}: {result.metrics.throughput_samples_per_s:.2f} samples/s"
        else:
            kind = result.failure.kind if result.failure else "?"
            line = f"[red]failed ({kind})[/] {describe(result.config)}"
        self.bar.console.print(line)
        self.bar.advance(self.task_id)


def plan_table(plan: list[RunConfig], title: str) -> Table:
    table = Table(title=title)
    for column in ("#", "task", "framework", "mode", "precision", "phase", "batch", "shape", "timeout s"):
        table.add_column(column)
    for index, config in enumerate(plan, 1):
        shape = ", ".join(f"{k}={v}" for k, v in config.shape.items())
        table.add_row(str(index), config.task, config.framework, config.mode, config.precision, config.phase,
                      str(config.batch_size), shape, f"{config.timeout_s:g}")
    return table


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def summary_table(rows: list[tuple[Path, PerformanceResult]], title: str) -> Table:
    table = Table(title=title)
    for column in ("task", "framework", "mode", "prec.", "phase", "batch", "status", "samples/s (95% CI)",
                   "p50 ms", "peak MB", "GFLOP/s", "util.", "first step s"):
        table.add_column(column, overflow="fold")
    for _, result in rows:
        c, m = result.config, result.metrics
        if result.status is Status.ok and m is not None:
            low, high = m.throughput_ci95
            status = "ok" + (" (busy)" if result.environment.busy else "")
            cells = [status, f"{m.throughput_samples_per_s:.2f} ({low:.2f}–{high:.2f})", _fmt(m.latency_ms_p50, ".1f"),
                     _fmt(m.peak_memory_mb, ".0f"), f"{m.achieved_flops_per_s / 1e9:.1f}",
                     _fmt(m.utilisation, ".0%"),
                     f"{m.first_step_s:.2f}"]
        else:
            kind = result.failure.kind if result.failure else "?"
            cells = [f"[red]failed: {kind}[/]"] + [""] * 6
        table.add_row(c.task, c.framework, c.mode, c.precision, c.phase, str(c.batch_size), *cells)
    return table


def deploy_plan_table(plan: list[DeployConfig], title: str) -> Table:
    table = Table(title=title)
    for column in ("#", "task", "path", "source", "format", "runtime", "precision", "shape", "timeout s"):
        table.add_column(column)
    for index, c in enumerate(plan, 1):
        shape = ", ".join(f"{k}={v}" for k, v in c.shape.items())
        table.add_row(str(index), c.task, c.path, c.source_framework, c.format, c.runtime, c.precision, shape,
                      f"{c.timeout_s:g}")
    return table


def deploy_summary_table(rows: list[tuple[Path, DeploymentResult]], title: str) -> Table:
    table = Table(title=title)
    for column in ("task", "path", "outcome", "max rel. diff", "agreement", "p50 ms", "batch-8 samples/s",
                   "size MB", "export s", "peak RSS MB", "why not ok"):
        table.add_column(column, overflow="fold")
    for _, r in rows:
        f, c = r.fidelity, r.cost
        agreement = None if f is None else (f.top1_agreement if f.top1_agreement is not None else f.box_agreement)
        table.add_row(
            r.config.task, r.config.path, r.outcome.value, _fmt(f.max_rel_diff if f else None, ".1e"),
            _fmt(agreement, ".0%"), _fmt(c.latency_ms_p50 if c else None, ".2f"),
            _fmt(c.throughput_samples_per_s if c else None, ".2f"),
            _fmt(c.artifact_bytes / 1e6 if c else None, ".1f"), _fmt(c.export_s if c else None, ".1f"),
            _fmt(c.peak_rss_mb if c else None, ".0f"), r.failure.message[:120] if r.failure else "")
    return table


def distributed_plan_table(plan: list[DistributedConfig], title: str) -> Table:
    table = Table(title=title)
    for column in ("#", "task", "framework", "engine", "backend", "workers", "threads each", "scaling",
                   "batch per worker", "global batch", "timeout s"):
        table.add_column(column)
    for index, c in enumerate(plan, 1):
        table.add_row(str(index), c.task, c.framework, c.engine, c.backend, str(c.workers), str(c.threads_per_worker),
                      c.scaling.value, str(c.per_worker_batch), str(c.global_batch), f"{c.timeout_s:g}")
    return table


def distributed_summary_table(rows: list[tuple[Path, DistributedResult]], title: str) -> Table:
    table = Table(title=title)
    for column in ("task", "framework", "workers", "scaling", "status", "samples/s (95% CI)", "step s",
                   "startup s", "comm. share", "check (rel. diff)", "why not ok"):
        table.add_column(column, overflow="fold")
    for _, r in rows:
        m, e = r.metrics, r.equivalence
        throughput = f"{m.throughput_samples_per_s:.2f} ({m.throughput_ci95[0]:.2f}–{m.throughput_ci95[1]:.2f})" \
            if m else "—"
        check = "reference" if r.config.workers == 1 else (
            "—" if e is None else f"{'pass' if e.passed else 'FAIL'} ({e.max_rel_diff:.1e})")
        table.add_row(r.config.task, r.config.framework, str(r.config.workers), r.config.scaling.value,
                      r.status.value + (" (busy)" if r.environment.busy else ""), throughput,
                      _fmt(m.step_time_s_median if m else None, ".2f"), _fmt(m.startup_s if m else None, ".2f"),
                      _fmt(m.communication_share if m else None, ".0%"), check,
                      r.failure.message[:120] if r.failure else "")
    return table
