"""The sweep page: how cost grows with the batch, the sequence length and the threads, per machine, with the
crossovers said in words, the fixed and per-sample cost of a step, thread scaling, and the one peak per machine
every utilisation on the site divides by.

Only the sweep suite's points from quiet machines are shown (busy ones with ``include_busy``); every point is also
an ordinary run on the every-run page and in ``api/results.csv``. The analysis is ``generator.results.sweeps``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import altair as alt
from markupsafe import Markup

from generator.bench import methodology
from generator.results import sweeps
from generator.results.peaks import machine_peaks
from generator.results.schema import PerformanceResult, Status
from generator.site import charts, markdown_pages
from generator.site.benchmarks import SECTION, Links, claim_list, framework_names
from generator.site.charts import PHASE_LABELS, Chart, Table, number
from generator.site.context import Page, SiteContext
from generator.site.environments import machine_anchor
from generator.site.markup import inert
from generator.site.methodology import METHODOLOGY_PAGE

PAGE = "benchmarks/sweeps.md"
ENTRY_ID = "cost-sweeps"
FIXED = {"batch_size": methodology.SWEEP_FIXED_BATCH, "seq_len": 128}
TASK_WORDS = {"image-classification": "ResNet-50", "sentiment-analysis": "BERT-base", "object-detection": "YOLOv8n"}
PANEL_ORDER = [("image-classification", "inference", "batch_size"), ("image-classification", "train", "batch_size"),
               ("sentiment-analysis", "inference", "seq_len"), ("image-classification", "inference", "threads"),
               ("image-classification", "train", "threads"), ("sentiment-analysis", "inference", "threads")]
LOG_RANGE = 10  # a y axis spanning more than this factor is drawn on a log scale (and says so)


def sweep_results(ctx: SiteContext) -> list[PerformanceResult]:
    return [r for r in ctx.results.performance if r.config.suite in methodology.SWEEP_SUITES
            and r.status is Status.ok and (ctx.results.include_busy or not r.environment.busy)]


def _setup(key: sweeps.SeriesKey, names: dict[str, str]) -> str:
    return f"{names.get(key.framework, key.framework)} {key.mode}"


def _x_words(axis: str, x: int, last: int | None = None) -> str:
    """``batch 4``, ``32–64 tokens``, ``1–2 threads``: one point or a span of points, in the axis's words."""
    span = f"{x}" if last is None or last == x else f"{x}–{last}"
    plural = last not in (None, x) or x != 1
    return {"batch_size": f"batch {span}", "seq_len": f"{span} tokens",
            "threads": f"{span} thread{'s' * plural}"}[axis]


def _between(axis: str, before: int, after: int) -> str:
    return {"batch_size": f"between batch {before} and {after}", "seq_len": f"between {before} and {after} tokens",
            "threads": f"between {before} and {after} threads"}[axis]


def interval_like(value: float, low: float, high: float) -> str:
    """``9.90 [5.31–14.5]``, written like the site's other intervals; a fit at its bound of 0 reads ``0``."""
    if value < 5e-3:  # below a hundredth of a millisecond: the bounded fit found no fixed cost
        return f"0 {charts.interval(0.0, high, high)}"
    return f"{number(value)} {charts.interval(low, high, value)}"


def _panel_title(task: str, phase: str, axis: str) -> str:
    return f"{TASK_WORDS.get(task, task)} {PHASE_LABELS[phase].lower()} against {sweeps.AXIS_WORDS[axis]}"


def leader_sentence(panel: list[sweeps.Series], names: dict[str, str]) -> Markup | None:
    """Who is faster where, each framework in its best mode: runs of consecutive points with the same leader."""
    leaders = sweeps.best_of_each(panel)
    if not leaders:
        return None
    axis = panel[0].key.axis
    runs: list[list[sweeps.Leader]] = []
    for leader in leaders:
        if runs and runs[-1][-1].framework == leader.framework:
            runs[-1].append(leader)
        else:
            runs.append([leader])
    parts = []
    for run in runs:
        span = _x_words(axis, run[0].x, run[-1].x)
        modes = "/".join(dict.fromkeys(leader.mode for leader in run))
        low, high = min(r.ratio for r in run), max(r.ratio for r in run)
        by = f"{low:.2f}×" if abs(high - low) < 0.005 else f"{low:.2f}–{high:.2f}×"
        close = sum(not r.decided for r in run)
        noise = ("" if not close else " (within the noise)" if len(run) == 1 else
                 f" ({close} of these {len(run)} points within the noise)")
        parts.append(f"{names.get(run[0].framework, run[0].framework)} ({modes}) at {span}, by {by}{noise}")
    return Markup("{}, best mode of each: {}.").format(
        inert(_panel_title(panel[0].key.task, panel[0].key.phase, axis)), inert("; ".join(parts)))


def crossover_sentences(panel: list[sweeps.Series], names: dict[str, str]) -> list[str]:
    """The decided crossovers of one chart in words, prefixed with the chart, then how many more swaps are only
    inside the noise (the two setups' 95% intervals overlap at one of the two points)."""
    found = sweeps.cross_framework_crossovers(panel)
    title = _panel_title(panel[0].key.task, panel[0].key.phase, panel[0].key.axis)
    lines = [f"{title}: {_setup(c.leader_after, names)} overtakes {_setup(c.leader_before, names)} "
             f"{_between(c.axis, c.x_before, c.x_after)}." for c in found if c.decided]
    noisy = sum(not c.decided for c in found)
    if noisy:
        lines.append(f"{title}: {noisy} more swap{'s' * (noisy != 1)} between setups of the two frameworks, each "
                     "within the noise (the 95% intervals overlap at one of the two points).")
    return lines


def _y_scale(values: Iterable[float]) -> tuple[alt.Scale, str]:
    values = [v for v in values if v > 0]
    if values and max(values) / min(values) > LOG_RANGE:
        return alt.Scale(type="log"), ", log scale"
    return alt.Scale(zero=False), ""


def series_chart(panel: list[sweeps.Series], names: dict[str, str], where: str, chart_id: str,
                 metric: str = "throughput") -> Chart:
    """One line per setup, both frameworks on one chart; log₂ x (the points are powers of two)."""
    key = panel[0].key
    values = []
    for series in panel:
        for x, result in sorted(series.points.items()):
            m = result.metrics
            values.append({"x": x, "framework_name": names.get(series.key.framework, series.key.framework),
                           "mode": series.key.mode, "throughput": m.throughput_samples_per_s,
                           "ci_low": m.throughput_ci95[0], "ci_high": m.throughput_ci95[1],
                           "step_ms": m.step_time_s_median * 1e3})
    axis_title = {"batch_size": "Batch size", "seq_len": "Sequence length (tokens)", "threads": "Threads"}[key.axis]
    field, title = (("throughput", "Throughput (samples/s)") if metric == "throughput"
                    else ("step_ms", "Step time, median (ms)"))
    scale, note = _y_scale(v[field] for v in values)
    base = alt.Chart(alt.Data(values=values))
    x = alt.X("x:Q", title=f"{axis_title} (log₂ scale)", scale=alt.Scale(type="log", base=2),
              axis=alt.Axis(values=sorted({v["x"] for v in values}), format="d"))
    colour = alt.Color("framework_name:N", title="Framework", scale=charts.framework_scale(names),
                       legend=alt.Legend(orient="bottom"))
    dash = alt.StrokeDash("mode:N", title="Mode", sort=list(charts.MODE_ORDER), legend=alt.Legend(orient="bottom"))
    lines = base.mark_line(point=True).encode(
        x=x, y=alt.Y(f"{field}:Q", title=title + note, scale=scale, axis=alt.Axis(format=",.3~g", tickCount=5)),
        color=colour, strokeDash=dash, detail="mode:N",
        tooltip=[alt.Tooltip("framework_name:N", title="Framework"), alt.Tooltip("mode:N", title="Mode"),
                 alt.Tooltip("x:Q", title=axis_title),
                 alt.Tooltip(f"{field}:Q", title=title, format=",.3~g")])
    layers = [lines]
    if metric == "throughput":
        layers.append(base.mark_rule().encode(x=x, y="ci_low:Q", y2="ci_high:Q", color=colour))
    chart_title = _panel_title(key.task, key.phase, key.axis)
    if metric != "throughput":
        chart_title += ": step time"
    better = "Higher is better." if metric == "throughput" else "Lower is better."
    spec = charts.finish(alt.layer(*layers), chart_title, better)
    caption = (f"{'Throughput in samples per second' if metric == 'throughput' else 'Median time of one step'} of "
               f"each framework in each mode as the {sweeps.AXIS_WORDS[key.axis]} grows; {better.lower()} "
               f"Measured on {where}.")
    if metric == "throughput":
        caption += f" {charts.CI_NOTE}"
    return Chart(chart_id, spec, chart_title, caption)


def series_table(panel: list[sweeps.Series], names: dict[str, str], links: Links) -> Table:
    """The chart's numbers: one row per point, the setups as columns (the verdict is reading across a row)."""
    axis = panel[0].key.axis
    ordered = sorted(panel, key=lambda s: (s.key.framework, charts.MODE_ORDER.index(s.key.mode)
                                           if s.key.mode in charts.MODE_ORDER else 9))
    xs = sorted(set().union(*(s.points for s in panel)))
    rows = []
    for x in xs:
        row: list[Any] = [x]
        for series in ordered:
            result = series.points.get(x)
            row.append(links.run(number(result.metrics.throughput_samples_per_s), result.result_id)
                       if result else "—")
        rows.append(row)
    header = {"batch_size": "Batch", "seq_len": "Tokens", "threads": "Threads"}[axis]
    return Table([header, *[f"{_setup(s.key, names)} (samples/s)" for s in ordered]], rows)


def cost_table(models: list[sweeps.CostModel], names: dict[str, str]) -> Table:
    rows = []
    for m in models:
        rows.append([_setup(m.key, names), PHASE_LABELS[m.key.phase],
                     interval_like(m.fixed_s * 1e3, m.fixed_ci95[0] * 1e3, m.fixed_ci95[1] * 1e3),
                     interval_like(m.per_sample_s * 1e3, m.per_sample_ci95[0] * 1e3, m.per_sample_ci95[1] * 1e3),
                     f"{m.fixed_share(1):.0%}", f"{m.relative_rms:.0%}", m.points])
    return Table(["Setup", "Phase", "Fixed cost a, ms per step [95% CI]", "Per-sample cost b, ms [95% CI]",
                  "a's share of a batch-1 step", "Line's error (RMS, share of a step)", "Repeats fitted"], rows)


def thread_table(panel: list[sweeps.Series], names: dict[str, str]) -> Table | None:
    rows = []
    for series in sorted(panel, key=lambda s: (s.key.framework, s.key.mode)):
        efficiency = sweeps.scaling_efficiency(series)
        if not efficiency:
            continue
        rows.append([_setup(series.key, names), *[f"{efficiency[n]:.0%}" if n in efficiency else "—"
                                                  for n in series.xs()]])
    if not rows:
        return None
    threads = sorted(set().union(*(s.points for s in panel)))
    return Table(["Setup", *[f"{n} thread{'s' * (n != 1)}" for n in threads]], rows)


def peak_rows(results: list[PerformanceResult]) -> list[list[Any]]:
    """Per machine and precision: the one denominator, each witness, and the theoretical peak beside it."""
    rows = []
    for (label, device, precision), peak in sorted(machine_peaks(results).items()):
        witnesses = "; ".join(f"{name} {number(value / 1e9)}" for name, value in sorted(peak.best_by_witness.items()))
        missing = "; ".join(f"{name}: {why}" for name, why in sorted(peak.missing_witnesses.items()))
        theoretical = (f"{number(peak.theoretical_flops_per_s / 1e9)} GFLOP/s — {peak.theoretical_basis}"
                       if peak.theoretical_flops_per_s else (peak.theoretical_basis or "not recorded by these runs"))
        share = (f"{peak.peak_flops_per_s / peak.theoretical_flops_per_s:.0%}" if peak.theoretical_flops_per_s
                 else "—")
        rows.append([label, f"{device} · {precision}", f"{number(peak.peak_flops_per_s / 1e9)} ({peak.source})",
                     witnesses + (f" (none from {missing})" if missing else ""), theoretical, share])
    return rows


def evidence(ctx: SiteContext, links: Links) -> Markup:
    """The fact-check's block under a speed claim: where the sweeps are, and the leader sentences."""
    names = framework_names(ctx)
    found = sweeps.build_series(sweep_results(ctx), FIXED)
    heading = links.to("How cost grows with batch, sequence length and threads", PAGE)
    if not found:
        return Markup("<p>{}: {}</p>").format(heading, links.not_measured())
    items = []
    for key, panel in sorted(sweeps.panels(found).items()):
        sentence = leader_sentence(panel, names)
        if sentence:
            items.append(Markup("<li>{} ({})</li>").format(sentence, inert(key[0])))
    return Markup("<p>{}:</p>\n<ul>{}</ul>").format(heading, Markup("").join(items))


def _panel_sort(key: tuple[str, str, str, str, str]) -> tuple[int, str]:
    position = (key[2], key[3], key[4])
    return (PANEL_ORDER.index(position) if position in PANEL_ORDER else 99, key[0])


def pages(ctx: SiteContext) -> list[Page]:
    kit = markdown_pages.MarkdownPage(ctx, PAGE)
    links = Links(PAGE)
    names = framework_names(ctx)
    entry = next((t for t in ctx.kb.benchmarks if t.id == ENTRY_ID), None)
    results = sweep_results(ctx)
    grouped = sweeps.panels(sweeps.build_series(results, FIXED))
    machines: dict[tuple[str, str], list[tuple[str, str, str, str, str]]] = {}
    for key in sorted(grouped, key=_panel_sort):
        machines.setdefault((key[0], key[1]), []).append(key)
    sections, chart_count = [], 0
    for (label, device), keys in machines.items():
        machine_id = next(r.environment.hostname_hash for r in results if r.environment.machine_label == label)
        summary, crossings, panels_out, models = [], [], [], []
        for key in keys:
            panel = grouped[key]
            if sentence := leader_sentence(panel, names):
                summary.append(sentence)
            crossings += crossover_sentences(panel, names)
            slug = f"{key[2]}-{key[3]}-{key[4]}-{machine_anchor(machine_id)}".replace("_", "-")
            figures = [charts.figure(series_chart(panel, names, label, f"sweep-{slug}"), ctx.repo_root)]
            if key[4] == "batch_size" or key[4] == "seq_len":
                figures.append(charts.figure(series_chart(panel, names, label, f"sweep-{slug}-step", "step"),
                                             ctx.repo_root))
            chart_count += len(figures)
            panels_out.append({"title": _panel_title(key[2], key[3], key[4]), "anchor": slug, "figures": figures,
                               "table": series_table(panel, names, links).markdown(),
                               "threads": (table.markdown() if key[4] == "threads" and
                                           (table := thread_table(panel, names)) else None)})
            models += [m for s in panel if (m := sweeps.cost_model(s)) is not None]
        sections.append({"where": label, "anchor": f"on-{machine_anchor(machine_id)}", "summary": summary,
                         "crossovers": crossings, "panels": panels_out,
                         "costs": cost_table(models, names).markdown() if models else None,
                         "machine_link": links.to("full environment", "benchmarks/environments.md",
                                                  machine_anchor(machine_id))})
    failed = [r for r in ctx.results.performance if r.config.suite in methodology.SWEEP_SUITES
              and r.status is Status.failed]
    failures = Table(["Point", "What happened"], [
        [f"{TASK_WORDS.get(r.config.task, r.config.task)} {r.config.phase.value}, {r.config.framework} "
         f"{r.config.mode.value}, batch {r.config.batch_size}, {r.config.threads} threads",
         links.run(f"{r.failure.kind.value}: {r.failure.message.splitlines()[0][:160]}", r.result_id)]
        for r in failed if r.failure]).markdown() if failed else None
    peaks = peak_rows([r for r in ctx.results.performance if r.status is Status.ok])
    suite = methodology.SUITES["sweep"]
    body = markdown_pages.md_render(
        "benchmarks/sweeps.md.j2",
        entry=entry, edit=kit.shows("benchmarks", entry.id, entry.last_reviewed) if entry else Markup(""),
        cites=kit.cite(entry.sources) if entry else Markup(""),
        claims=claim_list(ctx, kit, entry.claims) if entry and entry.claims else Markup(""),
        sections=sections, suite=suite, failures=failures,
        peaks=Table(["Machine", "Device · precision", "Measured peak, GFLOP/s (from)", "Each witness, GFLOP/s",
                     "Theoretical peak", "Measured ÷ theoretical"], peaks).markdown() if peaks else None,
        batches=", ".join(map(str, methodology.SWEEP_BATCH_SIZES)),
        lengths=", ".join(map(str, methodology.SWEEP_SEQUENCE_LENGTHS)), fixed_batch=methodology.SWEEP_FIXED_BATCH,
        methodology=links.to("methodology", METHODOLOGY_PAGE), contribute=links.not_measured(),
        loader=charts.loader(PAGE) if chart_count else Markup(""),
    )
    return [kit.page("Cost against the work", body, section=SECTION, order=4,
                     description="Throughput and step time of TensorFlow and PyTorch against batch size, sequence "
                                 "length and threads: crossovers, fixed vs per-sample cost, thread scaling.")]
