"""Across machines and over time: where the verdict changes with the machine, and how a framework's versions
compare on one machine.

The benchmark pages compare the two frameworks within one machine group (``generator.site.benchmarks``). These
two tables look across those groups: each machine's verdict side by side for the same setup, and, where one
machine measured a configuration with several framework versions, every version's measurement in order. Only
measured figures and their ratios appear; a setup one machine did not measure is not a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from markupsafe import Markup

from generator.site.charts import MODE_ORDER, PHASE_LABELS, PRECISION_ORDER, Table, interval, number, records
from generator.site.markup import inert

VERSION_KEYS = ["task", "framework", "mode", "precision", "phase", "batch_size"]


def every_run(frame: pd.DataFrame, group: dict[str, Any]) -> pd.DataFrame:
    """All runs of one machine group, older framework versions included (the comparisons keep the latest)."""
    mask = pd.Series(True, index=frame.index)
    for column, value in group.items():
        mask &= frame[column].astype(str) == str(value)
    return frame[mask]


def side_by_side(per_machine: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    """Template values for the machines-side-by-side table (None with fewer than two machines)."""
    found = verdicts_by_machine(per_machine)
    if found is None:
        return {"by_machine": None, "verdict_changes": 0, "setups_compared": 0}
    table, changed = found
    return {"by_machine": table.markdown(), "verdict_changes": changed, "setups_compared": len(table.rows)}


def verdicts_by_machine(per_machine: list[tuple[str, list[Any]]]) -> tuple[Table, int] | None:
    """Each setup (phase, mode, precision) that two or more machines measured in both frameworks, with every
    machine's verdict in its own column and whether the winner changes; None with fewer than two machines.

    ``per_machine`` holds each machine's label and its ``benchmarks.Comparison`` rows. Returns the table
    and how many setups change verdict.
    """
    if len(per_machine) < 2:
        return None
    setups: dict[tuple[str, str, str], dict[int, Any]] = {}
    for column, (_, comparisons) in enumerate(per_machine):
        for comparison in comparisons:
            if len(comparison.measured) == len(comparison.cells):
                setups.setdefault((comparison.phase, comparison.mode, comparison.precision), {})[column] = comparison
    rows, changed = [], 0
    order = sorted(setups, key=lambda s: (s[0] != "inference", _mode_rank(s[1]), PRECISION_ORDER.index(s[2])))
    for setup in order:
        measured = setups[setup]
        if len(measured) < 2:
            continue
        winners = {comparison.winner() for comparison in measured.values()}
        changes = len(winners) > 1
        changed += changes
        phase, mode, precision = setup
        cells = [f"{measured[c].verdict()} (batch {measured[c].batch_size})" if c in measured else "not measured"
                 for c in range(len(per_machine))]
        rows.append([PHASE_LABELS[phase], "best of each" if mode == "best" else mode, precision, *cells,
                     "yes" if changes else "no"])
    if not rows:
        return None
    return Table(["Phase", "Mode", "Precision", *[label for label, _ in per_machine], "Verdict changes"], rows), changed


def _mode_rank(mode: str) -> int:
    return MODE_ORDER.index(mode) if mode in MODE_ORDER else len(MODE_ORDER)


def version_history(rows: pd.DataFrame, names: dict[str, str], run_link: Callable[[str, str], Markup]) -> Table | None:
    """Every run of each configuration that one machine measured with more than one version of its framework,
    oldest first, each with the change from the version before; None when every configuration has one version."""
    if rows.empty:
        return None
    table_rows = []
    for _, runs in rows.sort_values("measured_at").groupby(VERSION_KEYS, sort=True):
        if runs["framework_version"].nunique() < 2:
            continue
        previous = None
        for run in records(runs.drop_duplicates("framework_version", keep="last")):
            table_rows.append([
                names.get(run.framework, run.framework), PHASE_LABELS[run.phase], run.mode, run.precision,
                run.batch_size, run.framework_version, run.measured_at.strftime("%Y-%m-%d"),
                run_link(f"{number(run.throughput_samples_per_s)}/s", run.result_id)
                + Markup(" ") + inert(interval(run.throughput_ci_low, run.throughput_ci_high, run.throughput_samples_per_s)),
                _change(previous, run),
            ])
            previous = run
    if not table_rows:
        return None
    return Table(["Framework", "Phase", "Mode", "Precision", "Batch", "Version", "Measured",
                  "Samples/s (95% CI)", "vs the version before"], table_rows)


def _change(previous: Any, run: Any) -> str:
    if previous is None:
        return "—"
    ratio = run.throughput_samples_per_s / previous.throughput_samples_per_s
    overlap = run.throughput_ci_low <= previous.throughput_ci_high and previous.throughput_ci_low <= run.throughput_ci_high
    return f"{ratio:.2f}× ({'intervals overlap: within noise' if overlap else 'faster' if ratio > 1 else 'slower'})"
