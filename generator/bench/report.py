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

from generator.results.schema import PerformanceResult, RunConfig, Status


def describe(config: RunConfig) -> str:
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

    def finished(self, result: PerformanceResult) -> None:
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
