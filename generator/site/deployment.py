"""The deployment page: per model, every export path of both frameworks — does it work, does it still compute the
same outputs, how fast is it, how big — with the failures shown as findings, never as gaps.

Only the ``deploy`` suite's cells from quiet machines are compared (``deploy-smoke`` checks the harness; its
numbers mean nothing); every cell, whatever its suite, is on the every-run page and in ``api/deployment.csv``.
The fact-check page shows the same per-machine summary (:func:`evidence`) under the deployment claims.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
from markupsafe import Markup

from generator.bench import methodology
from generator.bench.deploy.paths import PATHS
from generator.results.schema import DeploymentResult, DeployOutcome
from generator.results.table import UNCOMPARED_SUITES
from generator.site import charts, markdown_pages
from generator.site.benchmarks import SECTION, Links, claim_list, framework_names, per_machine_html
from generator.site.charts import Chart, Table, number
from generator.site.context import Page, SiteContext
from generator.site.environments import DEPLOYMENT_CSV, DOWNLOADS_PAGE, machine_anchor
from generator.site.markup import inert
from generator.site.methodology import METHODOLOGY_PAGE

PAGE = "benchmarks/deployment.md"
ENTRY_ID = "deployment"
OUTCOME_WORDS = {
    DeployOutcome.ok: "works",
    DeployOutcome.export_failed: "export failed",
    DeployOutcome.runtime_failed: "runtime failed",
    DeployOutcome.outputs_differ: "outputs differ",
    DeployOutcome.not_installable: "not installable",
}
TASK_ORDER = ("image-classification", "sentiment-analysis", "object-detection")


@dataclass(frozen=True)
class MachineCells:
    machine_id: str
    label: str
    cells: list[DeploymentResult]  # the latest cell of each (task, path) on this machine

    @property
    def anchor(self) -> str:
        return f"on-{machine_anchor(self.machine_id)}"


def compared_cells(ctx: SiteContext) -> list[MachineCells]:
    """Per machine, the latest compared cell of each (task, path): deploy suite, quiet machine (unless busy runs
    are included), every outcome."""
    latest: dict[str, dict[tuple[str, str], DeploymentResult]] = defaultdict(dict)
    for result in sorted(ctx.results.deployment, key=lambda r: r.finished_at):
        if result.config.suite in UNCOMPARED_SUITES or (result.environment.busy and not ctx.results.include_busy):
            continue
        latest[result.environment.hostname_hash][(result.config.task, result.config.path)] = result
    groups = []
    for machine_id, cells in sorted(latest.items()):
        ordered = sorted(cells.values(), key=_cell_order)
        groups.append(MachineCells(machine_id, ordered[-1].environment.machine_label, ordered))
    return groups


def _cell_order(result: DeploymentResult) -> tuple[int, int, str]:
    """Models in the benchmarks' order; paths in the registry's (each framework's own formats first)."""
    task = TASK_ORDER.index(result.config.task) if result.config.task in TASK_ORDER else len(TASK_ORDER)
    path = list(PATHS).index(result.config.path) if result.config.path in PATHS else len(PATHS)
    return task, path, result.config.path


def path_label(result: DeploymentResult, names: dict[str, str]) -> str:
    c = result.config
    precision = "" if c.precision == "fp32" else f", {c.precision}"
    return f"{names.get(c.source_framework, c.source_framework)}: {c.format} → {c.runtime}{precision}"


def outcome_text(result: DeploymentResult) -> str:
    """Short, for the matrix: the error itself is in the failures table and on the run's page."""
    words = OUTCOME_WORDS[result.outcome]
    return f"{words} ({result.failure.stage.value})" if result.failure else words


def fidelity_text(result: DeploymentResult) -> str:
    f = result.fidelity
    if f is None:
        return "—"
    if f.top1_agreement is not None:
        agreement = f"top-1 {round(f.top1_agreement * f.samples)}/{f.samples}"
    else:
        agreement = f"boxes {f.box_agreement:.1%} of {max(f.source_boxes or 0, f.deployed_boxes or 0)}"
    drift = "" if f.tolerance.enforced else " (int8 drift, reported)"
    return f"max rel. Δ {f.max_rel_diff:.1e} · {agreement}{drift}"


def _latency(result: DeploymentResult) -> str:
    c = result.cost
    if c is None:
        return "—"
    return f"{number(c.latency_ms_p50)} [{number(c.latency_ms_p90)} / {number(c.latency_ms_p99)}]"


def matrix(cells: list[DeploymentResult], names: dict[str, str], links: Links) -> Table:
    """One model's matrix: the verdict columns first (works? same outputs? how fast?), then size and costs."""
    rows = []
    for r in cells:
        c = r.cost
        throughput = (number(c.throughput_samples_per_s) if c and c.throughput_samples_per_s is not None else
                      "batch-1 artifact" if c else "—")
        rows.append([
            f"{r.config.path}: {path_label(r, names)}", links.run(outcome_text(r), r.result_id), fidelity_text(r),
            _latency(r), throughput,
            number(c.artifact_bytes / 1e6) if c else "—", number(c.export_s) if c else "—",
            number(c.load_s) if c else "—", number(c.peak_rss_mb) if c else "—",
        ])
    return Table(["Path (source: format → runtime)", "Works?", "Same outputs as the source?",
                  "Batch-1 latency, ms: p50 [p90 / p99]", "Batch-8 samples/s", "Size (MB)", "Export (s)",
                  "Load (s)", "Peak memory (MB)"], rows)


def latency_chart(cells: list[DeploymentResult], names: dict[str, str], task_title: str, where: str,
                  chart_id: str) -> Chart:
    """Median batch-1 latency per path (whisker to p99); a path that failed is a labelled row, not a gap."""
    labels = [r.config.path for r in cells]  # short: the matrix below spells each path out
    values = []
    for r, label in zip(cells, labels, strict=True):
        row = {"path": label, "framework_name": names.get(r.config.source_framework, r.config.source_framework)}
        if r.cost is not None and r.outcome is DeployOutcome.ok:
            row |= {"p50": r.cost.latency_ms_p50, "p99": r.cost.latency_ms_p99}
        else:
            row |= {"note": OUTCOME_WORDS[r.outcome]}
        values.append(row)
    base = alt.Chart(alt.Data(values=values))
    y = alt.Y("path:N", title="Export path", sort=labels, axis=alt.Axis(labelLimit=200))
    colour = alt.Color("framework_name:N", title="Source framework", scale=charts.framework_scale(names),
                       legend=alt.Legend(orient="bottom"))
    bars = base.transform_filter("isValid(datum.p50)").mark_bar().encode(
        x=alt.X("p50:Q", title="Batch-1 latency, median (ms)", axis=alt.Axis(format=",.3~g", tickCount=5)),
        y=y, color=colour,
        tooltip=[alt.Tooltip("path:N", title="Path"), alt.Tooltip("p50:Q", title="p50 (ms)", format=",.3~g"),
                 alt.Tooltip("p99:Q", title="p99 (ms)", format=",.3~g")])
    whiskers = base.transform_filter("isValid(datum.p50)").mark_rule(strokeWidth=1.5).encode(
        x="p50:Q", x2="p99:Q", y=y)
    gaps = base.transform_filter("!isValid(datum.p50)").mark_text(align="left", dx=4, fontStyle="italic").encode(
        x=alt.datum(0), y=y, text="note:N")
    title = f"{task_title}: batch-1 latency by export path"
    spec = charts.finish(alt.layer(bars, whiskers, gaps), title, "Lower is better; the line runs to p99.")
    caption = (f"Median latency of one call with a single sample, per export path (bar), with the line to the 99th "
               f"percentile; paths that did not work are labelled with what happened. Measured on {where}.")
    return Chart(chart_id, spec, title, caption)


def markdown_bold(text: str) -> Markup:
    return Markup("**{}**").format(inert(text))


def html_bold(text: str) -> Markup:
    return Markup("<strong>{}</strong>").format(text)


def summary(group: MachineCells, names: dict[str, str], links: Links, task_titles: dict[str, str],
            bold: Callable[[str], Markup] = markdown_bold) -> list[Markup]:
    """The answer in a few lines: per framework how many cells work, and per model the fastest working path.
    ``bold`` is the page's markup for emphasis (Markdown on the page, HTML on the fact-check)."""
    lines = []
    for framework, name in names.items():
        own = [r for r in group.cells if r.config.source_framework == framework]
        if not own:
            continue
        working = [r for r in own if r.outcome is DeployOutcome.ok]
        failing = [r for r in own if r.outcome is not DeployOutcome.ok]
        failures = "; ".join(f"{task_titles.get(r.config.task, r.config.task)} via {r.config.path}: "
                             f"{OUTCOME_WORDS[r.outcome]}" for r in failing)
        lines.append(Markup("{}: {} of {} cells work ({} paths × {} models){}.").format(
            bold(name), len(working), len(own), len({r.config.path for r in own}),
            len({r.config.task for r in own}), Markup(" — not: ") + inert(failures) if failures else ""))
    for task in sorted({r.config.task for r in group.cells}, key=lambda t: TASK_ORDER.index(t)
                       if t in TASK_ORDER else 99):
        best: dict[str, DeploymentResult] = {}
        for r in group.cells:
            if r.config.task == task and r.outcome is DeployOutcome.ok and r.config.precision == "fp32" and r.cost:
                held = best.get(r.config.source_framework)
                if held is None or r.cost.latency_ms_p50 < held.cost.latency_ms_p50:
                    best[r.config.source_framework] = r
        if not best:
            continue
        parts = [Markup("{} {} ms via {}").format(inert(names.get(f, f)), links.run(number(r.cost.latency_ms_p50),
                                                                                   r.result_id), inert(r.config.path))
                 for f, r in sorted(best.items(), key=lambda item: item[1].cost.latency_ms_p50)]
        lines.append(Markup("{}, fastest fp32 path at batch 1 per framework: {}.").format(
            bold(task_titles.get(task, task)), Markup("; ").join(parts)))
    return lines


def evidence(ctx: SiteContext, links: Links) -> Markup:
    """The fact-check's block under a deployment claim: the same summary as the page's, per machine, as HTML."""
    names = framework_names(ctx)
    titles = {t.id: t.title for t in ctx.kb.benchmarks}
    entry = next((t for t in ctx.kb.benchmarks if t.id == ENTRY_ID), None)
    heading = Markup("<strong>{}</strong> ({})").format(inert(entry.title if entry else "Deployment"),
                                                       links.to("every path, with its numbers", PAGE))
    groups = compared_cells(ctx)
    if not groups:
        return Markup("<p>{}: {}</p>").format(heading, links.not_measured())
    return per_machine_html(heading, groups, lambda group: summary(group, names, links, titles, bold=html_bold))


def tolerance_rows() -> list[list[Any]]:
    rows = []
    for precision, t in methodology.DEPLOY_TOLERANCES.items():
        if t["enforced"]:
            bar = (f"max |Δ| ≤ {t['atol']:g} + {t['rtol']:g} × the largest source output; top-1 agreement "
                   f"{t['min_agreement']:.0%} (detector: ≥ {methodology.DEPLOY_DETECTOR_MIN_AGREEMENT:.0%} of boxes)")
        else:
            bar = "none: the drift is reported, never failed (quantisation changes outputs by design)"
        rows.append([precision, bar])
    return rows


def pages(ctx: SiteContext) -> list[Page]:
    kit = markdown_pages.MarkdownPage(ctx, PAGE)
    links = Links(PAGE)
    names = framework_names(ctx)
    entry = next((t for t in ctx.kb.benchmarks if t.id == ENTRY_ID), None)
    titles = {t.id: t.title for t in ctx.kb.benchmarks}
    edit = kit.shows("benchmarks", entry.id, entry.last_reviewed) if entry else Markup("")
    sections, chart_count = [], 0
    for group in compared_cells(ctx):
        models = []
        for task in sorted({r.config.task for r in group.cells}, key=lambda t: TASK_ORDER.index(t)
                           if t in TASK_ORDER else 99):
            cells = [r for r in group.cells if r.config.task == task]
            chart = latency_chart(cells, names, titles.get(task, task), group.label,
                                  f"deploy-{task}-{machine_anchor(group.machine_id)}")
            chart_count += 1
            models.append({"title": titles.get(task, task), "anchor": f"{task}-{group.anchor}",
                           "figure": charts.figure(chart, ctx.repo_root),
                           "table": matrix(cells, names, links).markdown()})
        first = group.cells[0]
        sections.append({
            "where": group.label, "anchor": group.anchor,
            "machine_link": links.to("full environment", "benchmarks/environments.md",
                                     machine_anchor(group.machine_id)),
            "summary": summary(group, names, links, titles), "models": models,
            "threads": first.config.threads, "suite": first.config.suite,
        })
    failures = [[titles.get(r.config.task, r.config.task), r.config.path, r.failure.stage.value,
                 links.run(r.failure.message, r.result_id), Markup("<code>{}</code>").format(r.failure.reproduce)]
                for group in compared_cells(ctx) for r in group.cells if r.failure]
    suite = methodology.DEPLOY_SUITES["deploy"]
    body = markdown_pages.md_render(
        "benchmarks/deployment.md.j2",
        entry=entry, edit=edit, cites=kit.cite(entry.sources) if entry else Markup(""),
        claims=claim_list(ctx, kit, entry.claims) if entry and entry.claims else Markup(""),
        sections=sections, suite=suite,
        failures=Table(["Model", "Path", "Stage", "First line of the error", "Run it again"],
                       failures).markdown() if failures else None,
        tolerances=Table(["Precision", "Bar"], tolerance_rows()).markdown(),
        box_iou=methodology.DEPLOY_BOX_MATCH_IOU,
        methodology=links.to("methodology", METHODOLOGY_PAGE),
        csv=links.to("deployment.csv", DEPLOYMENT_CSV), columns=links.to("its columns", DOWNLOADS_PAGE,
                                                                        "deployment-columns"),
        contribute=links.not_measured(),
        loader=charts.loader(PAGE) if chart_count else Markup(""),
    )
    return [kit.page("Deployment", body, section=SECTION, order=5,
                     description="Every export path and runtime of TensorFlow and PyTorch on the same three models: "
                                 "does it work, same outputs, latency, size, memory.")]
