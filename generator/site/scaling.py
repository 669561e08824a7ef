"""The "Scaling out" page: data-parallel training of the same models on 1 and 2 workers of each framework's own
engine (DistributedDataParallel under torchrun; MultiWorkerMirroredStrategy under TF_CONFIG), per machine.

Shown first: whether the 2-worker model is the 1-worker model (the equivalence check), then throughput with its
interval, speedup and scaling efficiency against the 1-worker run with the same total cores, start-up time, the
communication share where the engine exposes it, and every failed run with its reason. Only the ``distributed``
suite's runs from quiet machines are compared (``distributed-smoke`` checks the harness); every run is on the
every-run page and in ``api/distributed.csv``. The fact-check shows the same summary (:func:`evidence`) under the
large-scale claims.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from generator.bench import methodology
from generator.results.schema import DistributedResult, ScalingKind, Status
from generator.results.table import UNCOMPARED_SUITES
from generator.site import charts, markdown_pages
from generator.site.benchmarks import SECTION, Links, claim_list, framework_names, per_machine_html
from generator.site.charts import CI_NOTE, Chart, Table, number
from generator.site.context import Page, SiteContext
from generator.site.deployment import html_bold, markdown_bold
from generator.site.environments import DISTRIBUTED_CSV, DOWNLOADS_PAGE, machine_anchor
from generator.site.markup import inert
from generator.site.methodology import METHODOLOGY_PAGE

PAGE = "benchmarks/scaling.md"
ENTRY_ID = "distributed"
ORDER = 6  # after Deployment
TASK_ORDER = ("image-classification", "sentiment-analysis")
SCALING_ORDER = (ScalingKind.baseline, ScalingKind.strong, ScalingKind.weak)
ENGINE_NAMES = {"pytorch": "DistributedDataParallel", "tensorflow": "MultiWorkerMirroredStrategy"}


@dataclass(frozen=True)
class MachineRuns:
    machine_id: str
    label: str
    runs: list[DistributedResult]  # the latest run of each (task, framework, workers, scaling) on this machine
    frame: pd.DataFrame  # their rows of the distributed frame: speedup and efficiency against the 1-worker run

    @property
    def anchor(self) -> str:
        return f"on-{machine_anchor(self.machine_id)}"

    def row(self, result_id: str):
        rows = self.frame[self.frame["result_id"] == result_id]
        return None if rows.empty else rows.iloc[0]


def _order(result: DistributedResult) -> tuple[int, str, int, int]:
    c = result.config
    task = TASK_ORDER.index(c.task) if c.task in TASK_ORDER else len(TASK_ORDER)
    return task, c.framework, c.workers, SCALING_ORDER.index(c.scaling)


def compared_runs(ctx: SiteContext) -> list[MachineRuns]:
    """Per machine, the latest compared run of each cell: the distributed suite (never its smoke), quiet machines
    only unless busy runs are included, every status."""
    latest: dict[str, dict[tuple, DistributedResult]] = defaultdict(dict)
    for result in sorted(ctx.results.distributed, key=lambda r: r.finished_at):
        c = result.config
        if c.suite in UNCOMPARED_SUITES or (result.environment.busy and not ctx.results.include_busy):
            continue
        latest[result.environment.hostname_hash][(c.task, c.framework, c.device, c.workers, c.scaling)] = result
    frame = ctx.results.distributed_frame
    groups = []
    for machine_id, cells in sorted(latest.items()):
        runs = sorted(cells.values(), key=_order)
        ids = {r.result_id for r in runs}
        groups.append(MachineRuns(machine_id, runs[-1].environment.machine_label, runs,
                                  frame[frame["result_id"].isin(ids)] if len(frame) else frame))
    return groups


def run_label(result: DistributedResult) -> str:
    c = result.config
    workers = "1 worker" if c.workers == 1 else f"{c.workers} workers"
    kind = "" if c.scaling is ScalingKind.baseline else f" ({c.scaling.value})"
    return f"{workers} × {c.per_worker_batch}{kind}"


def short_model(title: str) -> str:
    """'Image classification: ResNet-50' → 'ResNet-50': chart labels must fit a phone."""
    return title.rsplit(": ", 1)[-1]


def _optional(value, fmt: Callable[[float], str]) -> str:
    return "—" if value is None or pd.isna(value) else fmt(value)


def run_text(result: DistributedResult) -> str:
    """The run with its cores: '2 workers × 4 (strong), 1 core each'."""
    cores = result.config.threads_per_worker
    return f"{run_label(result)}, {cores} core{'s' if cores > 1 else ''} each"


def runs_table(group: MachineRuns, task: str, names: dict[str, str], links: Links) -> Table:
    rows = []
    for r in (r for r in group.runs if r.config.task == task):
        m, row = r.metrics, group.row(r.result_id)
        if r.status is Status.ok and m is not None:
            throughput = links.run(number(m.throughput_samples_per_s), r.result_id) + Markup(" ") + inert(
                f"[{number(m.throughput_ci95[0])}–{number(m.throughput_ci95[1])}]")
        else:
            throughput = links.run(f"failed ({r.failure.stage.value})" if r.failure else "failed", r.result_id)
        rows.append([
            names.get(r.config.framework, r.config.framework), run_text(r), throughput,
            _optional(m.step_time_s_median if m else None, number),
            _optional(row.speedup if row is not None else None, lambda v: f"{v:.2f}×"),
            _optional(row.scaling_efficiency if row is not None else None, lambda v: f"{v:.0%}"),
            _optional(m.startup_s if m else None, number),
            "—" if m is None else "not exposed" if m.communication_share is None else f"{m.communication_share:.0%}",
        ])
    return Table(["Framework", "Run", "Samples/s [95% CI]", "Step (s)", "Speedup", "Efficiency", "Start-up (s)",
                  "Comm. share"], rows)


def correctness_table(group: MachineRuns, names: dict[str, str], titles: dict[str, str], links: Links) -> Table:
    """Every multi-worker run's equivalence check: is the 2-worker model the 1-worker model after one step?"""
    rows = []
    for r in (r for r in group.runs if r.config.workers > 1):
        check = r.equivalence
        model = titles.get(r.config.task, r.config.task)
        if check is None:
            rows.append([model, names.get(r.config.framework, r.config.framework), run_label(r), "—", "—", "—",
                         links.run("not checked: the run failed before", r.result_id)])
            continue
        rows.append([model, names.get(r.config.framework, r.config.framework), run_label(r),
                     "yes" if check.initial_max_abs_diff <= check.atol else "no", f"{check.max_rel_diff:.1e}",
                     f"{check.rtol:g}", links.run("same weights" if check.passed else "weights differ",
                                                  r.result_id)])
    return Table(["Model", "Framework", "Run", "Same start?", "Largest difference (of the update)", "Bar",
                  "Result"], rows)


def throughput_chart(group: MachineRuns, task: str, task_title: str, names: dict[str, str]) -> Chart | None:
    """Global throughput per run (baseline, strong, weak) and framework, with the 95% interval."""
    values, order = [], []
    for r in (r for r in group.runs if r.config.task == task):
        label = run_label(r)
        if label not in order:
            order.append(label)
        if r.status is Status.ok and r.metrics:
            values.append({"framework_name": names.get(r.config.framework, r.config.framework), "run": label,
                           "throughput": r.metrics.throughput_samples_per_s,
                           "ci_low": r.metrics.throughput_ci95[0], "ci_high": r.metrics.throughput_ci95[1]})
    if not values:
        return None
    title = f"{task_title}: training throughput on 1 and 2 workers"
    spec = charts.finish(charts._bars(values, names, "throughput", "Throughput (samples/s, all workers)", "run",
                                      order, ci=True), title, "Higher is better; the same total cores in every run.")
    caption = (f"Global training throughput of {task_title} in each framework's own engine: one worker with every "
               f"core, two workers splitting the global batch (strong scaling) and two workers with the full batch "
               f"each (weak scaling); the cores are split evenly between the workers. A failed run has no bar and "
               f"is listed with its reason below the table. Measured on {group.label}. {CI_NOTE}")
    return Chart(f"scaling-{task}-{machine_anchor(group.machine_id)}", spec, title, caption)


def efficiency_chart(group: MachineRuns, titles: dict[str, str], names: dict[str, str]) -> Chart | None:
    """Scaling efficiency of every multi-worker run: 100% = splitting the cores between workers costs nothing."""
    values, order = [], []
    for r in group.runs:
        row = group.row(r.result_id)
        if r.config.workers == 1 or row is None or pd.isna(row.scaling_efficiency):
            continue
        label = f"{short_model(titles.get(r.config.task, r.config.task))} · {r.config.scaling.value}"
        if label not in order:
            order.append(label)
        values.append({"framework_name": names.get(r.config.framework, r.config.framework), "kind": label,
                       "efficiency": float(row.scaling_efficiency)})
    if not values:
        return None
    title = "Scaling efficiency, 2 workers against 1"
    spec = charts.finish(charts._bars(values, names, "efficiency", "Scaling efficiency", "kind", order,
                                      value_format=".0%", rule_at=1.0), title,
                         "The dashed line: no loss from splitting the same cores into workers.")
    caption = (f"Throughput of each 2-worker run over the 1-worker run of the same model and framework with the "
               f"same total cores (on GPUs: over the worker count × the 1-worker run). Strong scaling keeps the "
               f"global batch, weak scaling the per-worker batch. Measured on {group.label}.")
    return Chart(f"scaling-efficiency-{machine_anchor(group.machine_id)}", spec, title, caption)


def summary(group: MachineRuns, names: dict[str, str], titles: dict[str, str],
            bold: Callable[[str], Markup] = markdown_bold) -> list[Markup]:
    """Per framework: the equivalence checks, then strong and weak efficiency per model, failures named."""
    lines = []
    for framework, name in names.items():
        own = [r for r in group.runs if r.config.framework == framework]
        if not own:
            continue
        multi = [r for r in own if r.config.workers > 1]
        checked = [r for r in multi if r.equivalence is not None]
        passed = sum(1 for r in checked if r.equivalence.passed)
        unchecked = len(multi) - len(checked)
        by_model: dict[str, list[str]] = defaultdict(list)
        for r in multi:
            row = group.row(r.result_id)
            kind = r.config.scaling.value
            if r.status is not Status.ok:
                words = f"{kind} failed at {r.failure.stage.value}" if r.failure else f"{kind} failed"
            elif row is not None and not pd.isna(row.scaling_efficiency):
                words = f"{kind} {row.scaling_efficiency:.0%}"
            else:
                words = f"{kind} not measured"
            by_model[short_model(titles.get(r.config.task, r.config.task))].append(words)
        parts = [f"{model} {', '.join(words)}" for model, words in by_model.items()]
        engine = ENGINE_NAMES.get(framework, framework)
        before = f" ({unchecked} run(s) failed before the check)" if unchecked else ""
        lines.append(Markup("{} ({}): the 2-worker weights equal the 1-worker weights in {} of {} checked runs{}; "
                            "scaling efficiency {}.").format(bold(name), engine, passed, len(checked), before,
                                                     "; ".join(parts) or "not measured"))
    return lines


def evidence(ctx: SiteContext, links: Links) -> Markup:
    """The fact-check's block under a large-scale claim: the page's summary per machine, as HTML, and what it
    cannot say."""
    names = framework_names(ctx)
    titles = {t.id: t.title for t in ctx.kb.benchmarks}
    heading = Markup("<strong>Scaling out</strong> ({})").format(
        links.to("data-parallel training on 1 and 2 workers", PAGE))
    groups = compared_runs(ctx)
    if not groups:
        return Markup("<p>{}: {}</p>").format(heading, links.not_measured())
    limits = Markup("<p>Two workers on one machine show that each engine trains correctly and what splitting "
                    "the same cores costs; they say nothing about a cluster's interconnect ({}).</p>").format(
        links.to("what this can and cannot say", PAGE, "limits"))
    blocks = per_machine_html(heading, groups, lambda group: summary(group, names, titles, bold=html_bold))
    return blocks + Markup("\n") + limits


def failure_rows(groups: list[MachineRuns], names: dict[str, str], titles: dict[str, str],
                 links: Links) -> list[list[object]]:
    return [[group.label, titles.get(r.config.task, r.config.task), names.get(r.config.framework, r.config.framework),
             run_label(r), r.failure.stage.value, r.failure.kind.value, links.run(r.failure.message, r.result_id),
             Markup("<code>{}</code>").format(r.reproduce)]
            for group in groups for r in group.runs if r.failure]


def pages(ctx: SiteContext) -> list[Page]:
    kit = markdown_pages.MarkdownPage(ctx, PAGE)
    links = Links(PAGE)
    names = framework_names(ctx)
    entry = next((t for t in ctx.kb.benchmarks if t.id == ENTRY_ID), None)
    titles = {t.id: t.title for t in ctx.kb.benchmarks}
    edit = kit.shows("benchmarks", entry.id, entry.last_reviewed) if entry else Markup("")
    groups = compared_runs(ctx)
    sections, chart_count = [], 0
    for group in groups:
        models = []
        for task in sorted({r.config.task for r in group.runs}, key=lambda t: TASK_ORDER.index(t)
                           if t in TASK_ORDER else 99):
            chart = throughput_chart(group, task, titles.get(task, task), names)
            chart_count += chart is not None
            models.append({"title": titles.get(task, task), "anchor": f"{task}-{group.anchor}",
                           "figure": charts.figure(chart, ctx.repo_root) if chart else Markup(""),
                           "table": runs_table(group, task, names, links).markdown()})
        efficiency = efficiency_chart(group, titles, names)
        chart_count += efficiency is not None
        first = group.runs[0]
        sections.append({
            "where": group.label, "anchor": group.anchor, "summary": summary(group, names, titles),
            "machine_link": links.to("full environment", "benchmarks/environments.md",
                                     machine_anchor(group.machine_id)),
            "models": models, "device": first.config.device,
            "correctness": correctness_table(group, names, titles, links).markdown()
            if any(r.config.workers > 1 for r in group.runs) else None,
            "efficiency": charts.figure(efficiency, ctx.repo_root) if efficiency else Markup(""),
        })
    failures = failure_rows(groups, names, titles, links)
    suite = methodology.DISTRIBUTED_SUITES["distributed"]
    body = markdown_pages.md_render(
        "benchmarks/scaling.md.j2",
        entry=entry, edit=edit, cites=kit.cite(entry.sources) if entry else Markup(""),
        claims=claim_list(ctx, kit, entry.claims) if entry and entry.claims else Markup(""),
        sections=sections, suite=suite, per_worker=suite.global_batch // max(suite.worker_counts),
        rtol=f"{methodology.DISTRIBUTED_EQUIVALENCE_RTOL:.0%}", learning_rate=f"{methodology.LEARNING_RATE:g}",
        momentum=f"{methodology.MOMENTUM:g}",
        failures=Table(["Machine", "Model", "Framework", "Run", "Stage", "Kind", "Reason", "Run it again"],
                       failures).markdown() if failures else None,
        methodology=links.to("methodology", METHODOLOGY_PAGE),
        csv=links.to("distributed.csv", DISTRIBUTED_CSV),
        columns=links.to("its columns", DOWNLOADS_PAGE, "distributed-columns"),
        contribute=links.not_measured(),
        loader=charts.loader(PAGE) if chart_count else Markup(""),
    )
    return [kit.page("Scaling out", body, section=SECTION, order=ORDER,
                     description="Data-parallel training of ResNet-50 and BERT-base on 1 and 2 workers of each "
                                 "framework's own engine: same weights, throughput, scaling, start-up, failures.")]
