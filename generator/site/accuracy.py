"""The accuracy-parity page: do TensorFlow and PyTorch reach the same accuracy when everything else is equal?

Everything shown comes from the accuracy results (``ctx.results.accuracy``) through the framework-free
:func:`generator.bench.accuracy.stats.summarise_all`, which the fact-check can use too, so the two cannot
disagree. The page is assembled like the other results pages (:class:`generator.site.markdown_pages.MarkdownPage`,
inert Markdown templates); the learning curves are Altair charts with the shared chart machinery (static SVG,
inlined spec, local Vega bundle), followed by a table of the same numbers; every accuracy links to its run.
"""

from __future__ import annotations

from typing import Any

import altair as alt
from markupsafe import Markup

from generator.bench.accuracy.spec import MADE_EQUAL, TASK
from generator.bench.accuracy.stats import (
    ALPHA,
    FRAMEWORK_ORDER,
    AccuracyComparison,
    FrameworkSummary,
    format_p,
    summarise_all,
)
from generator.site import charts, markdown_pages, tables
from generator.site.benchmarks import claim_list
from generator.site.context import Page, SiteContext
from generator.site.environments import RESULTS_CSV, RESULTS_JSON, RUNS_PAGE, run_anchor
from generator.site.markup import external_link

PAGE = "benchmarks/accuracy.md"
SECTION = "Benchmarks"
ORDER = 20  # after the speed benchmarks' pages
TITLE = "Accuracy parity"

# What each recorded setting means, in the order the setup table lists them (unknown keys follow, as recorded).
SETTING_LABELS: dict[str, str] = {
    "architecture": "Network",
    "epochs": "Epochs",
    "batch_size": "Batch size",
    "optimizer": "Optimiser",
    "peak_learning_rate": "Peak learning rate",
    "lr_schedule": "Learning-rate schedule",
    "warmup_epochs": "Warm-up epochs",
    "adam_beta1": "Adam β₁",
    "adam_beta2": "Adam β₂",
    "adam_epsilon": "Adam ε",
    "weight_decay": "Weight decay",
    "loss": "Loss",
    "label_smoothing": "Label smoothing",
    "augmentation": "Augmentation",
    "test_fraction": "Test share (stratified split)",
    "split_seed": "Split seed (same split for every run)",
    "bn_momentum_torch": "Batch-norm momentum (PyTorch convention)",
    "bn_epsilon": "Batch-norm ε",
    "precision": "Precision",
    "threads": "Intra-op threads",
    "device": "Device",
    "target_accuracy": "Target accuracy (for time to target)",
    "config_id": "Settings id",
}
HIDDEN_SETTINGS = {"stem_width", "stage_widths", "max_shift_px", "init_weights_sha256", "data_sha256",
                   "foreign_cpu_share"}


def _names(ctx: SiteContext) -> dict[str, str]:
    known = {framework.id: framework.name for framework in getattr(ctx.kb, "frameworks", [])}
    return {framework: known.get(framework, framework) for framework in FRAMEWORK_ORDER}


def _percent(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def _points(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{100 * value:+.{digits}f}"


class _Links:
    def __init__(self, ctx: SiteContext) -> None:
        self.ctx = ctx
        self.paths: dict[str, str] = getattr(ctx.results, "paths", {}) or {}

    def run(self, text: str, result_id: str) -> Markup:
        return markdown_pages.md_link(text, PAGE, RUNS_PAGE, run_anchor(result_id))

    def json(self, result_id: str) -> Markup:
        path = self.paths.get(result_id)
        if not path or not self.ctx.repo_url.startswith(("https://", "http://")):
            return Markup("—")
        return external_link(f"{self.ctx.repo_url.rstrip('/')}/blob/main/{path}", "JSON")

    def to(self, text: str, page: str) -> Markup:
        return markdown_pages.md_link(text, PAGE, page)


# -- charts ----------------------------------------------------------------------------------------------------


def _curve_rows(comparison: AccuracyComparison, names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for framework, summary in comparison.frameworks.items():
        for point in summary.curve:
            rows.append({
                "framework_name": names.get(framework, framework),
                "epoch": point.epoch,
                "accuracy": point.test_accuracy_mean,
                "accuracy_low": max(0.0, point.test_accuracy_mean - point.test_accuracy_std),
                "accuracy_high": min(1.0, point.test_accuracy_mean + point.test_accuracy_std),
                "loss": point.train_loss_mean,
                "loss_low": max(point.train_loss_mean - point.train_loss_std, 1e-6),
                "loss_high": point.train_loss_mean + point.train_loss_std,
                "seeds": point.n,
            })
    return rows


def _band_chart(rows: list[dict[str, Any]], names: dict[str, str], value: str, title: str, *,
                log: bool = False, value_format: str = ".3~g") -> alt.LayerChart:
    base = alt.Chart(alt.Data(values=rows))
    # One legend for both layers, drawn at full opacity (the bands' 0.18 would make its symbols grey).
    legend = alt.Legend(title="Framework", symbolOpacity=1, symbolType="stroke", symbolStrokeWidth=3)
    colour = alt.Color("framework_name:N", scale=charts.framework_scale(names), legend=legend)
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    x = alt.X("epoch:Q", title="Epoch", axis=alt.Axis(tickMinStep=1, format="d"))
    band = base.mark_area(opacity=0.18).encode(
        x=x, y=alt.Y(f"{value}_low:Q", title=title, scale=scale), y2=f"{value}_high:Q", color=colour)
    line = base.mark_line(point=True).encode(
        x=x, y=alt.Y(f"{value}:Q", scale=scale, axis=alt.Axis(format=value_format)), color=colour,
        tooltip=[alt.Tooltip("framework_name:N", title="Framework"), alt.Tooltip("epoch:Q", title="Epoch"),
                 alt.Tooltip(f"{value}:Q", title=f"{title} (mean)", format=".4~g"),
                 alt.Tooltip("seeds:Q", title="Seeds")])
    return alt.layer(band, line)


def _exhibits(comparison: AccuracyComparison, names: dict[str, str], where: str) -> list[charts.Exhibit]:
    rows = _curve_rows(comparison, names)
    seeds = max(s.final_accuracy.n for s in comparison.frameworks.values())
    band = f"Lines: mean over {seeds} seeds; bands: ± one standard deviation across seeds."
    accuracy_title = "Test accuracy per epoch"
    accuracy_spec = charts.finish(
        _band_chart(rows, names, "accuracy", "Test accuracy", value_format=".0%"),
        accuracy_title, f"{where}. Higher is better.")
    loss_title = "Training loss per epoch"
    loss_spec = charts.finish(
        _band_chart(rows, names, "loss", "Training loss (log scale)", log=True),
        loss_title, f"{where}. Lower is better.")
    frameworks = list(comparison.frameworks)
    headers = ["Epoch", *[f"{names.get(f, f)} test accuracy (mean ± sd)" for f in frameworks],
               *[f"{names.get(f, f)} training loss (mean ± sd)" for f in frameworks]]
    table_rows = []
    for index in range(comparison.epochs):
        points = [comparison.frameworks[f].curve[index] for f in frameworks]
        table_rows.append([
            index + 1,
            *[f"{_percent(p.test_accuracy_mean)} ± {_percent(p.test_accuracy_std)}" for p in points],
            *[f"{p.train_loss_mean:.4f} ± {p.train_loss_std:.4f}" for p in points],
        ])
    table = charts.Table(headers, table_rows)
    return [
        charts.Exhibit(accuracy_title, charts.Chart(
            "accuracy-curve", accuracy_spec, accuracy_title,
            f"Test accuracy after each epoch of training, per framework. {band} Measured on {where}."), table),
        charts.Exhibit(loss_title, charts.Chart(
            "loss-curve", loss_spec, loss_title,
            f"Mean training loss of each epoch (log scale), per framework. {band} Measured on {where}."), table),
    ]


# -- tables ----------------------------------------------------------------------------------------------------


def summary_table(comparison: AccuracyComparison, names: dict[str, str]) -> charts.Table:
    target = comparison.target_accuracy
    rows = []
    for framework, s in comparison.frameworks.items():
        acc = s.final_accuracy
        ci = "—" if acc.ci95 is None else f"{_percent(acc.ci95[0])} – {_percent(min(acc.ci95[1], 1.0))}"
        time = s.time_to_target_s
        rows.append([
            names.get(framework, framework),
            ", ".join(s.framework_versions),
            acc.n,
            _percent(acc.mean),
            "—" if acc.std is None else f"{100 * acc.std:.2f} points",
            ci,
            f"{_percent(acc.minimum)} – {_percent(acc.maximum)}",
            f"{s.reached_target} of {acc.n}",
            "—" if time is None else f"{time.mean:.1f} s" + ("" if time.std is None else f" ± {time.std:.1f}"),
        ])
    headers = ["Framework", "Version", "Seeds", "Mean final test accuracy", "Standard deviation",
               "95% CI of the mean", "Range", f"Reached {_percent(target, 0)}", "Time to target (mean ± sd)"]
    return tables.fitted(  # the answer first: accuracy, its interval, the target and the time to it
        headers, rows, first=["Framework", "Mean final test accuracy", "95% CI of the mean", headers[7],
                              "Time to target (mean ± sd)"], keep=["Version"])


def pairs_table(comparison: AccuracyComparison, names: dict[str, str], links: _Links) -> charts.Table:
    tf, pt = (comparison.frameworks.get(f) for f in FRAMEWORK_ORDER)
    if tf is None or pt is None:
        return charts.Table([], [])
    by_seed = {f: dict(zip(s.seeds, s.result_ids)) for f, s in comparison.frameworks.items()}
    rows = []
    differences = dict(comparison.test.per_seed_differences) if comparison.test else {}
    for seed in sorted(set(tf.seeds) | set(pt.seeds)):
        cells: list[Any] = [seed]
        for framework in FRAMEWORK_ORDER:
            result_id = by_seed[framework].get(seed)
            accuracy = _seed_accuracy(comparison.frameworks[framework], seed)
            cells.append(links.run(_percent(accuracy), result_id) if result_id else "not run")
        cells.append(_points(differences.get(seed)) if seed in differences else "—")
        cells.append(Markup(" · ").join(links.json(by_seed[f][seed]) for f in FRAMEWORK_ORDER if seed in by_seed[f]))
        rows.append(cells)
    return charts.Table(
        ["Seed", *[f"{names[f]} final test accuracy" for f in FRAMEWORK_ORDER],
         f"{names['tensorflow']} − {names['pytorch']} (points)", "Result files"],
        rows,
    )


def _seed_accuracy(summary: FrameworkSummary, seed: int) -> float | None:
    return dict(summary.seed_accuracies).get(seed)


def setup_table(comparison: AccuracyComparison) -> charts.Table:
    config = comparison.config
    keys = [k for k in SETTING_LABELS if k in config] + sorted(k for k in config if k not in SETTING_LABELS
                                                               and k not in HIDDEN_SETTINGS)
    return charts.Table(["Setting (the same in both frameworks)", "Value"],
                        [[SETTING_LABELS.get(k, k), config[k]] for k in keys])


def made_equal_table(names: dict[str, str]) -> charts.Table:
    return charts.Table(["What", f"{names['pytorch']} default", f"{names['tensorflow']} / Keras default",
                         "How this experiment makes them equal"], [list(row) for row in MADE_EQUAL])


# -- the page --------------------------------------------------------------------------------------------------


def _where(ctx: SiteContext, comparison: AccuracyComparison) -> str:
    labels = sorted({r.environment.machine_label for r in getattr(ctx.results, "accuracy", [])
                     if str(r.config.get("config_id", "")) == comparison.config_id})
    return "; ".join(labels) or "unknown machine"


def _verdict_kind(comparison: AccuracyComparison) -> str:
    if comparison.test is None:
        return "info"
    return "warning" if comparison.significant else "success"


def page(ctx: SiteContext) -> Page:
    kit = markdown_pages.MarkdownPage(ctx, PAGE)
    names = _names(ctx)
    links = _Links(ctx)
    entry = next((b for b in getattr(ctx.kb, "benchmarks", []) if b.id == TASK), None)
    edit = kit.shows("benchmarks", entry.id, entry.last_reviewed) if entry else Markup("")
    comparisons = summarise_all(getattr(ctx.results, "accuracy", getattr(ctx.results, "results", [])))
    comparison = comparisons[0] if comparisons else None
    values: dict[str, Any] = {
        "description": entry.description if entry else None,
        "edit": edit,
        "claims": claim_list(ctx, kit, entry.claims) if entry and entry.claims else Markup(""),
        "cites": kit.cite(entry.sources) if entry else Markup(""),
        "comparison": comparison,
        "alpha_text": f"{ALPHA}",
        "made_equal": made_equal_table(names).markdown(),
        "downloads": Markup("Download every result: {} · {}.").format(
            links.to("results.csv", RESULTS_CSV), links.to("results.json", RESULTS_JSON)),
        "runs": links.to("every run with its machine", RUNS_PAGE),
        "other_settings": len(comparisons) - 1 if comparisons else 0,
        "loader": Markup(""),
    }
    if comparison is not None:
        where = _where(ctx, comparison)
        exhibits = _exhibits(comparison, names, where)
        test = comparison.test
        values |= {
            "where": where,
            "verdict_kind": Markup(_verdict_kind(comparison)),
            "verdict": comparison.verdict,
            "test_name": test.name if test else None,
            "p_text": None if test is None else format_p(test.p_value),
            "difference": None if test is None else _points(test.mean_difference),
            "difference_ci": None if test is None or test.ci95 is None
            else f"{_points(test.ci95[0])} to {_points(test.ci95[1])}",
            "initial_gap": None if comparison.max_initial_loss_gap is None
            else f"{comparison.max_initial_loss_gap:.1e}",
            "same_weights": "yes" if comparison.same_initial_weights else "NO",
            "same_data": "yes" if comparison.same_data else "NO",
            "checked_pairs": comparison.same_initial_weights is not None,
            "rationale": comparison.rationale,
            "notes": list(comparison.notes),
            "summary": summary_table(comparison, names).markdown(),
            "pairs": pairs_table(comparison, names, links).markdown(),
            "setup": setup_table(comparison).markdown(),
            "exhibits": [{"heading": e.heading, "figure": charts.figure(e.chart, ctx.repo_root),
                          "table": e.table.markdown() if i == len(exhibits) - 1 else None}
                         for i, e in enumerate(exhibits)],
            "busy": sum(s.busy_runs for s in comparison.frameworks.values()),
            "loader": charts.loader(PAGE),
        }
    body = markdown_pages.md_render("accuracy/page.md.j2", **values)
    return kit.page(TITLE, body, section=SECTION, order=ORDER,
                    description="Do TensorFlow and PyTorch reach the same accuracy from the same weights, data and "
                                "settings? Learning curves over seeds and a paired statistical test.")


def pages(ctx: SiteContext) -> list[Page]:
    return [page(ctx)]
