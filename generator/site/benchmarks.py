"""The measured comparison: the benchmarks overview and one page per benchmark task.

Numbers come only from ``ctx.results`` (validated result files); nothing here computes a figure the harness did not
measure except ratios of two measured figures. Results are compared only within one *machine group* (same machine,
device, thread count and suite: the same shapes on the same hardware), and within it the latest run of each
configuration counts. A configuration nobody measured is shown as "not measured" with a link to how to contribute
it, never as zero or as a blank that reads like zero.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from markupsafe import Markup

from generator.bench.accuracy.stats import summarise_all
from generator.bench.methodology import MODES as HARNESS_MODES
from generator.bench.methodology import SWEEP_SUITES as HARNESS_SWEEP_SUITES
from generator.bench.workloads.base import TASK_PACKAGES
from generator.kb.models import BenchmarkTask
from generator.results.schema import FRAMEWORKS, PerformanceResult
from generator.site import charts, glance, machines_compared, markdown_pages, tables
from generator.site.charts import MODE_ORDER, PHASE_LABELS, PRECISION_ORDER, Exhibit, number
from generator.site.context import Page, SiteContext
from generator.site.environments import (
    DOWNLOADS_PAGE,
    ENVIRONMENTS_PAGE,
    FACTCHECK_PAGE,
    RESULTS_CSV,
    RESULTS_JSON,
    RUNS_PAGE,
    machine_anchor,
    run_anchor,
)
from generator.site.markup import inert, relative_url
from generator.site.methodology import CONTRIBUTE_ANCHOR, METHODOLOGY_PAGE
from generator.site.pagekit import badge

SECTION = "Benchmarks"
OVERVIEW_PAGE = "benchmarks/index.md"
PERFORMANCE_TASKS = tuple(TASK_PACKAGES)  # the speed benchmarks; digits-accuracy belongs to the accuracy page
NOT_MEASURED = "not measured"


def task_page_path(task_id: str) -> str:
    return f"benchmarks/{task_id}.md"


def task_phases(task_id: str) -> tuple[str, ...]:
    """The phases the harness runs for a task (detection is inference-only), from the task's own common.py."""
    try:
        return tuple(importlib.import_module(f"{TASK_PACKAGES[task_id]}.common").PHASES)
    except (ImportError, AttributeError, KeyError):
        return ("train", "inference")


def framework_names(ctx: SiteContext) -> dict[str, str]:
    """Display names of the benchmarked frameworks, in a fixed order (the order of generator.results.schema)."""
    known = {framework.id: framework.name for framework in ctx.kb.frameworks}
    return {framework_id: known.get(framework_id, framework_id) for framework_id in FRAMEWORKS}


# --------------------------------------------------------------------------------------------------------------
# Machine groups and comparisons.
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    """Results comparable with each other: same machine, device, thread count and suite (hence shapes)."""

    machine_id: str
    device: str
    threads: int
    suite: str
    label: str
    device_model: str

    @property
    def where(self) -> str:
        hardware = f"GPU {self.device_model}" if self.device == "cuda" else f"CPU {self.device_model}"
        return f"{self.label} ({hardware}, {self.threads} threads, {self.suite} suite)"

    @property
    def anchor(self) -> str:
        return machine_anchor(self.machine_id)

    @property
    def group(self) -> dict[str, Any]:
        """The frame columns (GROUP_KEYS) and values that select this group's runs."""
        return {"machine_id": self.machine_id, "device": self.device, "threads": self.threads, "suite": self.suite}


GROUP_KEYS = ["machine_id", "device", "threads", "suite"]
CONFIG_KEYS = ["task", "framework", "mode", "precision", "phase", "batch_size"]


def machine_groups(frame: pd.DataFrame) -> list[tuple[Machine, pd.DataFrame]]:
    """Each machine group with the latest measurement of each configuration in it (GPU groups first).

    The sweep suites are not groups here: their points answer "how does cost grow", on a page of their own
    (generator.site.sweeps), and would otherwise add a second, differently shaped comparison to every verdict.
    """
    groups = []
    frame = frame[~frame["suite"].isin(HARNESS_SWEEP_SUITES)] if not frame.empty else frame
    if frame.empty:
        return groups
    for key, rows in frame.groupby(GROUP_KEYS, sort=True):
        latest = rows.sort_values("measured_at").drop_duplicates(CONFIG_KEYS, keep="last")
        first = latest.iloc[-1]
        machine = Machine(str(key[0]), str(key[1]), int(key[2]), str(key[3]), str(first["machine_label"]),
                          str(first["device_model"]))
        groups.append((machine, latest.reset_index(drop=True)))
    return sorted(groups, key=lambda g: (g[0].device != "cuda", g[0].suite != "standard", g[0].where))


def reference_batches(rows: pd.DataFrame, phases: tuple[str, ...]) -> dict[str, int]:
    """Per phase, the batch size the comparisons use: the one measured most often, larger on ties; batch 1 (the
    latency runs) only when it is all there is."""
    chosen = {}
    for phase in phases:
        sizes = rows.loc[rows["phase"] == phase, "batch_size"]
        if sizes.empty:
            continue
        counts = sizes[sizes != 1].value_counts() if (sizes != 1).any() else sizes.value_counts()
        chosen[phase] = int(max(counts.index, key=lambda size: (counts[size], size)))
    return chosen


@dataclass(frozen=True)
class Comparison:
    """One row of a "who is faster" table: a setup, each framework's measurement (or None) and the verdict."""

    phase: str
    mode: str  # "best" = each framework's fastest mode
    precision: str
    batch_size: int | None
    cells: dict[str, Any]  # framework id -> frame row (a namedtuple) or None
    names: dict[str, str]

    @property
    def measured(self) -> list[Any]:
        return [row for row in self.cells.values() if row is not None]

    def _fastest_and_slowest(self) -> tuple[str, Any, Any]:
        ranked = sorted(self.cells.items(), key=lambda item: item[1].throughput_samples_per_s, reverse=True)
        (fast_id, fast), (_, slow) = ranked[0], ranked[-1]
        return fast_id, fast, slow

    def winner(self) -> str | None:
        """The faster framework's id; None when the intervals overlap or a framework was not measured."""
        if len(self.measured) < len(self.cells):
            return None
        fast_id, fast, slow = self._fastest_and_slowest()
        return None if fast.throughput_ci_low <= slow.throughput_ci_high else fast_id

    def verdict(self) -> str:
        if len(self.measured) < len(self.cells):
            return "—"
        fast_id, fast, slow = self._fastest_and_slowest()
        ratio = fast.throughput_samples_per_s / slow.throughput_samples_per_s
        if self.winner() is None:
            return f"too close to call ({ratio:.2f}×, intervals overlap)"
        return f"{self.names[fast_id]} {ratio:.2f}× faster"


def comparisons(rows: pd.DataFrame, task_id: str, names: dict[str, str]) -> list[Comparison]:
    """The "who is faster" rows of one machine group: every measured mode × precision at each phase's reference
    batch, eager and compiled fp32 always (so a gap shows), and each framework's best mode where there is a choice."""
    phases = task_phases(task_id)
    batches = reference_batches(rows, phases)
    measured = {(r.phase, r.batch_size, r.framework, r.mode, r.precision): r for r in charts.records(rows)}
    result = []
    for phase in sorted(phases, key=lambda p: p != "inference"):
        batch = batches.get(phase)
        here = [r for key, r in measured.items() if key[:2] == (phase, batch)]
        setups = {("eager", "fp32"), ("compiled", "fp32")} | {(r.mode, r.precision) for r in here}
        for mode, precision in sorted(setups, key=lambda s: (MODE_ORDER.index(s[0]), PRECISION_ORDER.index(s[1]))):
            cells = {framework: measured.get((phase, batch, framework, mode, precision)) for framework in names}
            result.append(Comparison(phase, mode, precision, batch, cells, names))
        for precision in sorted({r.precision for r in here}, key=PRECISION_ORDER.index):
            same = [r for r in here if r.precision == precision]
            if len({r.mode for r in same}) < 2:
                continue
            cells = {framework: max((r for r in same if r.framework == framework), default=None,
                                    key=lambda r: r.throughput_samples_per_s) for framework in names}
            result.append(Comparison(phase, "best", precision, batch, cells, names))
    return result


# --------------------------------------------------------------------------------------------------------------
# Rendering helpers.
# --------------------------------------------------------------------------------------------------------------


class Links:
    """Links from one page: to the run behind a number, to a machine, to how to contribute a measurement.

    Markdown links by default (MkDocs checks and rewrites them); ``html=True`` for a page rendered straight to HTML
    (the fact-check), with the relative URLs MkDocs would have written.
    """

    def __init__(self, page: str, *, html: bool = False) -> None:
        self.page = page
        self.html = html

    def run(self, text: str, result_id: str) -> Markup:
        return self.to(text, RUNS_PAGE, run_anchor(result_id))

    def machine(self, text: str, machine: Machine) -> Markup:
        return self.to(text, ENVIRONMENTS_PAGE, machine.anchor)

    def to(self, text: str, page: str, anchor: str | None = None) -> Markup:
        if self.html:
            return Markup('<a href="{}">{}</a>').format(relative_url(self.page, page, anchor), inert(text))
        return markdown_pages.md_link(text, self.page, page, anchor)

    def not_measured(self) -> Markup:
        return Markup(f"{NOT_MEASURED} — ") + self.to("contribute it", METHODOLOGY_PAGE, CONTRIBUTE_ANCHOR)

    def downloads(self) -> Markup:
        return Markup("Download every measurement: {} · {} ({}).").format(
            self.to("results.csv", RESULTS_CSV), self.to("results.json", RESULTS_JSON),
            self.to("columns", DOWNLOADS_PAGE))


def _missing_verdict(comparison: Comparison) -> str:
    """Why a row has no verdict: a framework without that mode (nothing to measure) or a gap to fill."""
    absent = [comparison.names[f] for f, row in comparison.cells.items() if row is None
              and comparison.mode not in ("best", *HARNESS_MODES.get(f, (comparison.mode,)))]
    if absent:
        return f"nothing to compare: {' and '.join(absent)} has no {comparison.mode} mode"
    return "not measured in both"


def comparison_table(items: list[Comparison], links: Links) -> charts.Table:
    """Who is faster: the verdict first, then the setup, then each framework's figure; the batch size (and any
    other column every row shares) said once in the caption."""
    names = next(iter(items)).names if items else {}
    phases = list(dict.fromkeys(c.phase for c in items))
    items = sorted(items, key=lambda c: (phases.index(c.phase), c.mode != "best"))  # best of each first per phase

    def cell(row: Any, comparison: Comparison, framework: str) -> Markup:
        if row is None and comparison.mode not in ("best", *HARNESS_MODES.get(framework, (comparison.mode,))):
            return inert(f"no {comparison.mode} mode")  # nothing to measure: not a gap to contribute
        if row is None:
            return links.not_measured()
        text = links.run(f"{number(row.throughput_samples_per_s)}/s", row.result_id)
        interval = " " + charts.interval(row.throughput_ci_low, row.throughput_ci_high, row.throughput_samples_per_s)
        mode = f" ({row.mode})" if comparison.mode == "best" else ""
        return text + Markup(" ") + inert(interval + mode)

    return tables.fitted(
        ["Verdict", "Phase", "Mode", "Precision", "Batch", *names.values()],
        [[c.verdict() if len(c.measured) == len(c.cells) else _missing_verdict(c), PHASE_LABELS[c.phase],
          "best of each" if c.mode == "best" else c.mode, c.precision, c.batch_size or "—",
          *[cell(c.cells[f], c, f) for f in names]] for c in items],
        first=["Verdict", *names.values()], keep=list(names.values()),
        caption="Samples/s: median [95% CI]",
    )


def per_machine_html(heading: Markup, groups: list[Any], lines: Callable[[Any], list[Markup]]) -> Markup:
    """The fact-check's block for a benchmark page: its heading, then per machine group (``.label``) the page's
    summary lines as a list."""
    parts = [Markup("<p>On {}:</p>\n<ul>{}</ul>").format(
        inert(group.label), Markup("").join(Markup("<li>{}</li>").format(line) for line in lines(group)))
        for group in groups]
    return Markup("<p>{}.</p>\n").format(heading) + Markup("\n").join(parts)


def claim_list(ctx: SiteContext, kit: markdown_pages.MarkdownPage, claim_ids: list[str]) -> Markup:
    """The claims a task bears on: badge, the article's words, and a link to the verdict on the fact-check page."""
    claims = {claim.id: claim for claim in ctx.kb.claims}
    items = []
    for claim_id in claim_ids:
        claim = claims.get(claim_id)
        if claim is None:
            continue
        kit.shows("claims", claim.id, claim.last_reviewed)
        items.append(Markup("- {} “{}” — {}").format(
            badge(claim.status), inert(claim.quote), kit.link("verdict and evidence", FACTCHECK_PAGE,
                                                              f"claim-{claim.id}")))
    return Markup("\n").join(items)


def _task_entry(ctx: SiteContext, task_id: str) -> BenchmarkTask | None:
    return next((task for task in ctx.kb.benchmarks if task.id == task_id), None)


def _task_title(ctx: SiteContext, task_id: str) -> str:
    entry = _task_entry(ctx, task_id)
    return entry.title if entry else task_id.replace("-", " ").capitalize()


def _failure_rows(ctx: SiteContext, task_id: str, links: Links, names: dict[str, str]) -> list[list[Any]]:
    rows = []
    for result in ctx.results.failed:
        if not isinstance(result, PerformanceResult) or result.config.task != task_id:
            continue  # accuracy runs are the accuracy page's
        config = result.config
        rows.append([names.get(config.framework, config.framework), config.mode.value, config.precision.value,
                     PHASE_LABELS[config.phase.value].lower(), config.batch_size, config.device,
                     links.run(result.failure.kind.value, result.result_id), result.failure.message[:300]])
    return rows


def _busy_rows(ctx: SiteContext, task_id: str, links: Links, names: dict[str, str]) -> list[list[Any]]:
    rows = []
    for result in ctx.results.busy:
        if not isinstance(result, PerformanceResult) or result.config.task != task_id or ctx.results.include_busy:
            continue
        config = result.config
        env = result.environment
        load = f"{env.load_before[0]:.2f} → {env.load_after[0]:.2f}"
        if env.foreign_cpu_share is not None:
            load += f"; other processes: {env.foreign_cpu_share:.0%} of the CPU"
        rows.append([names.get(config.framework, config.framework), config.mode.value, config.precision.value,
                     PHASE_LABELS[config.phase.value].lower(), config.batch_size,
                     links.run(result.result_id, result.result_id), load])
    return rows


def verdict_block(ctx: SiteContext, page: str, *, figures: bool, task_id: str | None = None,
                  heading: str = "The answer, measured") -> Markup:
    """The measured answer (generator.site.glance) for one page: every speed task, or only ``task_id``."""
    names = framework_names(ctx)
    tasks = (task_id,) if task_id else PERFORMANCE_TASKS
    found = glance.findings(machine_groups(ctx.results.frame), tasks, {t: _task_title(ctx, t) for t in tasks},
                            names, comparisons)
    accuracy = glance.accuracy_line(summarise_all(getattr(ctx.results, "accuracy", [])), names)
    return glance.block(page, found, names, accuracy=accuracy, figures=figures, heading=heading,
                        task_pages={} if task_id else {t: task_page_path(t) for t in tasks})


# --------------------------------------------------------------------------------------------------------------
# Pages.
# --------------------------------------------------------------------------------------------------------------


def pages(ctx: SiteContext) -> list[Page]:
    names = framework_names(ctx)
    groups = machine_groups(ctx.results.frame)
    result = [overview_page(ctx, names, groups)]
    for order, task_id in enumerate(PERFORMANCE_TASKS, start=1):
        result.append(task_page(ctx, task_id, names, groups, order))
    return result


def overview_page(ctx: SiteContext, names: dict[str, str], groups: list[tuple[Machine, pd.DataFrame]]) -> Page:
    kit = markdown_pages.MarkdownPage(ctx, OVERVIEW_PAGE)
    links = Links(OVERVIEW_PAGE)
    tasks = []
    for task_id in PERFORMANCE_TASKS:
        entry = _task_entry(ctx, task_id)
        if entry:
            kit.shows("benchmarks", entry.id, entry.last_reviewed)
        sections, per_machine = [], []
        for machine, rows in groups:
            task_rows = rows[rows["task"] == task_id]
            if task_rows.empty:
                continue
            compared = comparisons(task_rows, task_id, names)
            per_machine.append((machine.where, compared))
            sections.append({
                "where": links.machine(machine.where, machine),
                "table": comparison_table(compared, links).markdown(),
            })
        empty = comparison_table(comparisons(ctx.results.frame.iloc[0:0], task_id, names), links).markdown()
        tasks.append({
            **machines_compared.side_by_side(per_machine),
            "title": _task_title(ctx, task_id),
            "link": links.to("charts and details", task_page_path(task_id)),
            "model": entry.model if entry else "",
            "sections": sections,
            "empty_table": empty,
        })
    body = markdown_pages.md_render(
        "benchmarks/overview.md.j2",
        verdict=glance.raw(verdict_block(ctx, OVERVIEW_PAGE, figures=True)),
        tasks=tasks,
        frameworks=list(names.values()),
        downloads=links.downloads(),
        methodology=links.to("methodology", METHODOLOGY_PAGE),
        environments=links.to("machines", ENVIRONMENTS_PAGE),
        runs=links.to("every run", RUNS_PAGE),
        contribute=links.to("contribute a measurement", METHODOLOGY_PAGE, CONTRIBUTE_ANCHOR),
        left_out=" ".join(filter(None, [
            f"{failed} run(s) failed (crash, out of memory, timeout or unsupported); each task page lists them "
            "with the reason." if (failed := len(ctx.results.failed)) else "",
            f"{busy} run(s) were taken on a busy machine and are left out of the comparisons; the runs page lists "
            "them." if (busy := 0 if ctx.results.include_busy else len(ctx.results.busy)) else "",
        ])),
    )
    return kit.page("Benchmarks", body, section=SECTION, order=0,
                    description="Who is faster, TensorFlow or PyTorch: our measurements, with confidence "
                                "intervals and the hardware they came from.")


def exhibits(machine: Machine, rows: pd.DataFrame, task_id: str, names: dict[str, str], links: Links,
             step_times: dict[str, list[float]]) -> list[Exhibit]:
    phases = [p for p in sorted(task_phases(task_id), key=lambda p: p != "inference")]
    batches = reference_batches(rows, tuple(phases))
    where = machine.where
    found: list[Exhibit | None] = []
    for phase in phases:
        if phase in batches:
            found.append(charts.throughput_exhibit(rows, names, links.run, where, phase, batches[phase]))
            found.append(charts.sweep_exhibit(rows, names, links.run, where, phase))
    found.append(charts.speedup_exhibit(rows, names, links.run, where))
    found.append(charts.latency_exhibit(rows, names, links.run, where, step_times))
    found.append(charts.memory_exhibit(rows, names, links.run, where, batches))
    found.append(charts.utilisation_exhibit(rows, names, links.run, where, batches))
    return [exhibit for exhibit in found if exhibit is not None]


def task_page(ctx: SiteContext, task_id: str, names: dict[str, str], groups: list[tuple[Machine, pd.DataFrame]],
              order: int) -> Page:
    path = task_page_path(task_id)
    kit = markdown_pages.MarkdownPage(ctx, path)
    links = Links(path)
    entry = _task_entry(ctx, task_id)
    edit = kit.shows("benchmarks", entry.id, entry.last_reviewed) if entry else Markup("")
    step_times = {
        result.result_id: list(result.timing.step_times_s)
        for result in ctx.results.compared if result.config.task == task_id and result.timing
    }
    sections, per_machine = [], []
    chart_count = 0
    for machine, rows in groups:
        task_rows = rows[rows["task"] == task_id]
        if task_rows.empty:
            continue
        compared = comparisons(task_rows, task_id, names)
        per_machine.append((machine.where, compared))
        history = machines_compared.version_history(
            machines_compared.every_run(ctx.results.frame, machine.group).query("task == @task_id"), names, links.run)
        shown = [  # chart ids unique on the page: one set of charts per machine
            replace(e, chart=replace(e.chart, chart_id=f"{e.chart.chart_id}-{machine.anchor}"))
            for e in exhibits(machine, task_rows, task_id, names, links, step_times)
        ]
        chart_count += len(shown)
        sections.append({
            "where": machine.where,
            "machine_link": links.machine("full environment", machine),
            "anchor": f"on-{machine.anchor}",
            "table": comparison_table(compared, links).markdown(),
            "history": history.markdown() if history else None,
            "exhibits": [{"heading": e.heading, "figure": charts.figure(e.chart, ctx.repo_root),
                          "table": e.table.markdown()} for e in shown],
        })
    failed = _failure_rows(ctx, task_id, links, names)
    busy = _busy_rows(ctx, task_id, links, names)
    body = markdown_pages.md_render(
        "benchmarks/task.md.j2",
        **machines_compared.side_by_side(per_machine),
        verdict=glance.raw(verdict_block(ctx, path, figures=True, task_id=task_id, heading="Who was faster")),
        title=_task_title(ctx, task_id),
        entry=entry,
        edit=edit,
        article_says=[{"framework": names.get(k, k), "text": v} for k, v in (entry.article_says if entry else {}).items()],
        claims=claim_list(ctx, kit, entry.claims) if entry and entry.claims else Markup(""),
        cites=kit.cite(entry.sources) if entry else Markup(""),
        sections=sections,
        empty_table=comparison_table(comparisons(ctx.results.frame.iloc[0:0], task_id, names), links).markdown(),
        contribute=links.to("how to contribute a measurement", METHODOLOGY_PAGE, CONTRIBUTE_ANCHOR),
        methodology=links.to("methodology", METHODOLOGY_PAGE),
        downloads=links.downloads(),
        failed=charts.Table(["Framework", "Mode", "Precision", "Phase", "Batch", "Device", "Failure", "Message"],
                            failed).markdown() if failed else None,
        busy=charts.Table(["Framework", "Mode", "Precision", "Phase", "Batch", "Run", "1-min load before → after"],
                          busy).markdown() if busy else None,
        loader=charts.loader(path) if chart_count else Markup(""),
    )
    return kit.page(_task_title(ctx, task_id), body, section=SECTION, order=order,
                    description=f"Measured speed of TensorFlow and PyTorch: {_task_title(ctx, task_id)}.")
