"""Charts that work anywhere: Vega-Lite specs with their data inlined, a static SVG for every chart, and the
Vega JavaScript served by the site itself.

A chart is a ``<figure class="atlas-chart">`` holding

- the static SVG rendered at build time by vl-convert (what a reader without JavaScript sees, and what the chart
  looks like before the script has run),
- the Vega-Lite spec as inert JSON (``<script type="application/json">``), which ``atlas-charts.js`` embeds with
  Vega-Embed, replacing the SVG, and re-embeds in the dark theme whenever Material's ``data-md-color-scheme``
  changes (a MutationObserver on ``<body>``),
- a figcaption saying what the chart shows and on which machine.

The page puts a Markdown table of the same numbers right after the figure (Markdown, so MkDocs checks and rewrites
its links to the runs).

Only pages with charts load the 900 kB bundle: :func:`loader` returns what a chart page ends with, a hidden pair of
Markdown links to ``assets/javascripts/vega.js`` and ``atlas-charts.js`` (MkDocs checks and rewrites them for the
page's URL, with or without directory URLs) and an inline script that loads the scripts from those links. Nothing
is requested from another host: the data is in the page.

vl-convert is fast once warm (~20 ms a chart) but slow to start and to bundle (~1.5 s); both outputs are cached on
disk by content hash under ``.cache/charts/`` so a rebuild with unchanged results costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
from markupsafe import Markup

from generator.bench.methodology import MODES as HARNESS_MODES
from generator.site.context import Asset, SiteContext
from generator.site.markdown_pages import md_target
from generator.site.markup import inert
from generator.site.tables import Table, fitted

VEGA_JS = "assets/javascripts/vega.js"
CHARTS_JS = "assets/javascripts/atlas-charts.js"

# One colour per framework, the same on every chart (Tableau 10 blue/orange: distinguishable with the common
# colour-vision deficiencies, and readable on both the light and the dark background).
FRAMEWORK_COLOURS = {"pytorch": "#4c78a8", "tensorflow": "#f58518"}
STATIC_WIDTH = 560  # px of the build-time SVG; the embedded chart fills its container instead

_CACHE_SUBDIR = Path(".cache") / "charts"


@dataclass(frozen=True)
class Chart:
    """One chart of a page: ``chart_id`` is unique on the page; ``caption`` says what it shows and where."""

    chart_id: str
    spec: dict[str, Any]
    title: str
    caption: str


def framework_scale(names: dict[str, str]) -> alt.Scale:
    """Colour by framework display name, with the fixed colours above."""
    return alt.Scale(domain=list(names.values()), range=[FRAMEWORK_COLOURS.get(key, "#888") for key in names])


def finish(chart: alt.TopLevelMixin, title: str, subtitle: str) -> dict[str, Any]:
    """The spec of a chart: title, transparent background (the page's theme shows through), responsive width."""
    chart = chart.properties(title=alt.Title(title, subtitle=subtitle, anchor="start"), width=STATIC_WIDTH)
    chart = chart.configure(background="transparent", font="sans-serif").configure_view(stroke=None).configure_rule(
        color="#444").configure_legend(orient="bottom", direction="horizontal", titleOrient="left")
    spec = chart.to_dict(validate=False)  # the tests validate every spec against the Vega-Lite schema
    spec["usermeta"] = {"responsive": True}
    return spec


# --------------------------------------------------------------------------------------------------------------
# Build-time rendering, cached by content hash.
# --------------------------------------------------------------------------------------------------------------


def _cache_dir(repo_root: Path | None) -> Path:
    directory = (repo_root or Path.cwd()) / _CACHE_SUBDIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _versions() -> str:
    import vl_convert

    return f"vlc{vl_convert.__version__}"


def static_svg(spec: dict[str, Any], repo_root: Path | None = None) -> str:
    """The chart as an SVG document (cached), without its XML prologue, ready to inline."""
    import vl_convert

    payload = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    key = hashlib.sha256(f"{_versions()}|{payload}".encode()).hexdigest()[:24]
    path = _cache_dir(repo_root) / f"{key}.svg"
    if path.exists():
        return path.read_text(encoding="utf-8")
    svg = vl_convert.vegalite_to_svg(spec)
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(svg, encoding="utf-8")
    tmp.replace(path)
    return svg


def vega_bundle(repo_root: Path | None = None) -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (vl-convert's bundle), assigning them to ``window``."""
    import vl_convert

    path = _cache_dir(repo_root) / f"vega-bundle-{_versions()}.js"
    if path.exists():
        return path.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(bundle, encoding="utf-8")
    tmp.replace(path)
    return bundle


# --------------------------------------------------------------------------------------------------------------
# Markup.
# --------------------------------------------------------------------------------------------------------------


def _json_for_script(spec: dict[str, Any]) -> str:
    """JSON that cannot end its <script> element or open a comment, whatever strings the data holds."""
    text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _svg_for_figure(svg: str, caption_id: str) -> str:
    svg = "\n".join(line for line in svg.splitlines() if line.strip())  # a blank line would end the HTML block
    return re.sub(
        r"^<svg\b",
        f'<svg role="img" aria-labelledby="{caption_id}" style="max-width:100%;height:auto"',
        svg,
        count=1,
    )


def figure(chart: Chart, repo_root: Path | None = None) -> Markup:
    """The chart's HTML block (static SVG + spec + caption). Text is escaped; the SVG comes from vl-convert."""
    safe = re.sub(r"[^a-z0-9-]", "-", chart.chart_id.lower())
    caption_id = f"{safe}-caption"
    svg = _svg_for_figure(static_svg(chart.spec, repo_root), caption_id)
    return Markup(
        '<figure class="atlas-chart" id="{id}" aria-label="{label}" style="width:100%;display:block">\n'
        '<div class="atlas-chart__view" style="width:100%">\n{svg}\n</div>\n'
        '<script type="application/json" class="atlas-chart__spec">{spec}</script>\n'
        '<figcaption id="{caption_id}" style="max-width:none;text-align:left;font-style:normal">'
        "<strong>{title}.</strong> {caption}</figcaption>\n"
        "</figure>"
    ).format(
        id=safe,
        label=inert(f"{chart.title}. {chart.caption}"),
        svg=Markup(svg),
        spec=Markup(_json_for_script(chart.spec)),
        caption_id=caption_id,
        title=inert(chart.title),
        caption=inert(chart.caption),
    )


_LOADER = """<div class="atlas-chart-loader" hidden markdown>[Vega](%(vega)s) [charts](%(charts)s)</div>

<script>
(function () {
  var links = document.querySelectorAll(".atlas-chart-loader a");
  if (links.length !== 2) { return; }
  function load(src, next) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = next;
    document.head.appendChild(script);
  }
  function draw() { if (window.atlasCharts) { window.atlasCharts.render(); } }
  if (window.vegaEmbed && window.atlasCharts) { draw(); return; }
  var started = false;
  function start() {
    if (started) { return; }
    started = true;
    load(links[0].href, function () { load(links[1].href, draw); });
  }
  // The static SVGs are already on the page (light theme), so Vega (~900 kB) is only fetched when it adds
  // something: at once in the dark theme, else when a chart comes near the screen or the theme changes.
  if (document.body.getAttribute("data-md-color-scheme") === "slate" || !("IntersectionObserver" in window)) {
    start();
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    if (entries.some(function (entry) { return entry.isIntersecting; })) { observer.disconnect(); start(); }
  }, { rootMargin: "200px" });
  document.querySelectorAll("figure.atlas-chart").forEach(function (figure) { observer.observe(figure); });
  // Material re-applies the scheme attribute while it starts: only a real change of scheme counts.
  var scheme = document.body.getAttribute("data-md-color-scheme");
  new MutationObserver(function () {
    if (document.body.getAttribute("data-md-color-scheme") !== scheme) { start(); }
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
</script>"""


def loader(page: str) -> Markup:
    """What a chart page ends with: links to the two scripts (Markdown links, so MkDocs checks them and rewrites
    them for the page's URL) and the inline script that loads them from those links' resolved addresses."""
    return Markup(_LOADER % {"vega": md_target(page, VEGA_JS), "charts": md_target(page, CHARTS_JS)})


# The embedding script: embeds every chart in the current theme, again when the theme changes, and again after
# Material's instant navigation swaps the page. If embedding fails, the static SVG simply stays. The dark
# configuration is merged into the spec's own config (which outranks any configuration passed beside it). Width:
# Vega-Lite's "container" width warns on every chart with a discrete height, so the plot is given a pixel width and
# then corrected once so the whole chart (labels and legend included) fits the figure; again on window resize.
CHARTS_SCRIPT = r"""/* Framework Atlas charts: embed Vega-Lite specs in the page's light or dark theme. */
(function () {
  "use strict";
  if (window.atlasCharts) { return; }
  var DARK = {
    title: { color: "#e8e8e8", subtitleColor: "#b8b8b8" },
    style: { "guide-label": { fill: "#d0d0d0" }, "guide-title": { fill: "#e8e8e8" } },
    axis: { domainColor: "#9a9a9a", gridColor: "#3d4150", tickColor: "#9a9a9a",
            labelColor: "#d0d0d0", titleColor: "#e8e8e8" },
    legend: { labelColor: "#d0d0d0", titleColor: "#e8e8e8" },
    rule: { color: "#d0d0d0" },
    boxplot: { rule: { color: "#d0d0d0" } }
  };
  /* On a phone: the legend under the plot, fewer ticks, text at full size, and long category labels
     ("inference · eager · fp32 · b8") broken into lines at their separators, so the plot keeps most of the width. */
  var PHONE = {
    legend: { orient: "bottom", direction: "horizontal", labelFontSize: 11, titleFontSize: 11 },
    axis: { labelFontSize: 11, titleFontSize: 11, tickCount: 4, labelOverlap: true },
    axisY: { labelExpr: "split(datum.label, ' · ')", labelLimit: 110 },
    title: { fontSize: 13, subtitleFontSize: 11 }
  };
  var embedded = [];

  function isObject(value) { return value && typeof value === "object" && !Array.isArray(value); }
  function merge(base, extra) {
    var out = {}, key;
    for (key in base) { out[key] = base[key]; }
    for (key in extra) { out[key] = isObject(out[key]) && isObject(extra[key]) ? merge(out[key], extra[key]) : extra[key]; }
    return out;
  }

  function scheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function fit(item) {
    var svg = item.element.querySelector("svg");
    if (!svg || !item.result) { return; }
    var available = item.figure.clientWidth;
    var width = item.result.view.width();
    var target = Math.max(120, Math.floor(width - (svg.getBoundingClientRect().width - available)));
    if (Math.abs(target - width) > 1) { item.result.view.width(target).runAsync(); }
  }

  function embed(figure, theme) {
    var element = figure.querySelector(".atlas-chart__view");
    var source = figure.querySelector("script.atlas-chart__spec");
    if (!element || !source || element.getAttribute("data-theme") === theme) { return; }
    element.setAttribute("data-theme", theme);
    var spec = JSON.parse(source.textContent);
    var narrow = figure.clientWidth < 600;
    if (spec.usermeta && spec.usermeta.responsive) {
      spec.width = Math.max(120, figure.clientWidth - (narrow ? 120 : 240));
    }
    if (narrow) { spec.config = merge(spec.config || {}, PHONE); }
    if (theme === "dark") { spec.config = merge(spec.config || {}, DARK); }
    window.vegaEmbed(element, spec, { actions: false, renderer: "svg" }).then(function (result) {
      embedded = embedded.filter(function (item) {
        if (item.element !== element) { return document.body.contains(item.element); }
        item.result.finalize();
        return false;
      });
      var item = { figure: figure, element: element, result: result };
      embedded.push(item);
      if (spec.usermeta && spec.usermeta.responsive) { fit(item); }
    }).catch(function (error) {
      element.removeAttribute("data-theme");
      console.warn("chart not embedded, the static image stays:", error);
    });
  }

  function render() {
    if (!window.vegaEmbed) { return; }
    var theme = scheme();
    document.querySelectorAll("figure.atlas-chart").forEach(function (figure) { embed(figure, theme); });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { embedded.forEach(fit); }, 150);
  });
  new MutationObserver(render).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"]
  });
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(render); }
  window.atlasCharts = { render: render };
})();
"""


def assets(repo_root: Path | None = None) -> list[Asset]:
    """The chart scripts the site serves itself (loaded only by pages with charts, through :func:`loader`)."""
    return [
        Asset(VEGA_JS, vega_bundle(repo_root).encode("utf-8")),
        Asset(CHARTS_JS, CHARTS_SCRIPT.encode("utf-8")),
    ]


def pages(ctx: SiteContext) -> list[Asset]:
    """Page writer: the chart scripts (every writer with charts, the accuracy page's too, relies on them). With no
    results there is no chart anywhere, and the bundle is not shipped."""
    return assets(ctx.repo_root) if ctx.results.results else []


# --------------------------------------------------------------------------------------------------------------
# The benchmark charts. Each builder takes one machine's measurements (the latest run of each configuration) and
# returns the chart and the table of exactly the numbers it plots, every number linking to its run.
# --------------------------------------------------------------------------------------------------------------

MODE_ORDER = ("eager", "graph", "compiled")
PRECISION_ORDER = ("fp32", "bf16", "fp16")
PHASE_LABELS = {"inference": "Inference", "train": "Training"}
CI_NOTE = "Error bars: 95% bootstrap confidence interval of the median over repeats."


@dataclass(frozen=True)
class Exhibit:
    """A chart and the table of the same numbers, shown together under ``heading``."""

    heading: str
    chart: Chart
    table: Table


@lru_cache(maxsize=8)
def _row_type(columns: tuple[str, ...]) -> type:
    return namedtuple("Row", columns)  # type: ignore[misc]


def records(frame) -> list[Any]:
    """The frame's rows as namedtuples: pandas' own itertuples is ~100× slower on a frame this wide."""
    columns = tuple(str(c) for c in frame.columns)
    row = _row_type(columns)
    return [row(*values) for values in zip(*(frame[c].tolist() for c in frame.columns), strict=True)]


def decimals(value: float, figures: int = 3) -> int:
    """Decimal places that show ``value`` to ``figures`` significant figures (none at 100 and above)."""
    magnitude = abs(value)
    if magnitude >= 10 ** (figures - 1) or magnitude == 0:
        return 0
    return figures - 1 - math.floor(math.log10(magnitude))


def number(value: float | None, unit: str = "", *, places: int | None = None) -> str:
    """Three significant figures, trailing zeros kept (28.0, not 28), thousands separated; ``places`` fixes the
    decimal places instead (an interval is written like its median). A missing value is never a number."""
    if value is None or math.isnan(value):
        return "not measured"
    if isinstance(value, numbers.Integral):  # a count, not a measurement: no decimals to keep
        return f"{value:,} {unit}".strip()
    if places is None and 0 < abs(value) < 0.01:
        return f"{value:.2e} {unit}".strip()
    text = f"{value:,.{decimals(value) if places is None else places}f}"
    return f"{text} {unit}".strip()


def interval(low: float | None, high: float | None, median: float | None, *, brackets: bool = True,
             places: int | None = None) -> str:
    """``[21.3–22.9]``: a confidence interval with the decimal places of its median (or ``places``)."""
    if low is None or high is None or median is None or math.isnan(low) or math.isnan(high):
        text = "interval not measured"
    else:
        if places is None:
            places = decimals(median) if 0.01 <= abs(median) else None
        text = f"{number(low, places=places)}–{number(high, places=places)}"
    return f"[{text}]" if brackets else text


def setup_label(mode: str, precision: str) -> str:
    return f"{mode} · {precision}"


def _setup_order(frame) -> list[str]:
    pairs = sorted({(m, p) for m, p in zip(frame["mode"], frame["precision"], strict=True)},
                   key=lambda mp: (MODE_ORDER.index(mp[0]), PRECISION_ORDER.index(mp[1])))
    return [setup_label(m, p) for m, p in pairs]


def _bars(rows: list[dict[str, Any]], names: dict[str, str], value: str, value_title: str, category: str,
          category_order: list[str], *, ci: bool = False, value_format: str = ",.3~g",
          domain: tuple[float, float] | None = None, rule_at: float | None = None) -> alt.LayerChart:
    """Horizontal grouped bars: one row per category, one bar per framework, optional CI whiskers."""
    base = alt.Chart(alt.Data(values=rows))
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    x = alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format), scale=scale)
    y = alt.Y(f"{category}:N", title=None, sort=category_order)
    colour = alt.Color("framework_name:N", title="Framework", scale=framework_scale(names))
    tooltip = [alt.Tooltip("framework_name:N", title="Framework"), alt.Tooltip(f"{category}:N", title="Setup"),
               alt.Tooltip(f"{value}:Q", title=value_title, format=value_format)]
    layers = [base.mark_bar().encode(x=x, y=y, yOffset=alt.YOffset("framework_name:N", sort=list(names.values())),
                                     color=colour, tooltip=tooltip)]
    if ci:
        layers.append(base.mark_rule(strokeWidth=1.5).encode(
            x=alt.X("ci_low:Q"), x2="ci_high:Q", y=y,
            yOffset=alt.YOffset("framework_name:N", sort=list(names.values())),
        ))
    if rule_at is not None:
        layers.append(alt.Chart(alt.Data(values=[{"at": rule_at}])).mark_rule(strokeDash=[4, 3]).encode(x="at:Q"))
    gaps = no_mode_gaps(rows, names, category, category_order)
    if gaps:  # a framework without this mode: say so where its bar would be, never leave a silent gap
        layers.append(alt.Chart(alt.Data(values=gaps)).mark_text(
            align="left", dx=3, fontSize=11, fontStyle="italic", color="#6b6b6b").encode(
            x=alt.X("zero:Q"), y=y, yOffset=alt.YOffset("framework_name:N", sort=list(names.values())),
            text="label:N"))
    return alt.layer(*layers)


def no_mode_gaps(rows: list[dict[str, Any]], names: dict[str, str], category: str,
                 category_order: list[str]) -> list[dict[str, Any]]:
    """Label rows for the bars that cannot exist: a category whose mode a framework does not have (PyTorch has no
    graph mode), e.g. ``{"framework_name": "PyTorch", "setup": "graph · fp32", "label": "no graph mode"}``."""
    present = {(row["framework_name"], row[category]) for row in rows}
    gaps = []
    for label in category_order:
        mode = next((token for token in str(label).split(" · ") if token in MODE_ORDER), None)
        for framework, name in names.items():
            if mode and mode not in HARNESS_MODES.get(framework, MODE_ORDER) and (name, label) not in present:
                gaps.append({"framework_name": name, category: label, "zero": 0, "label": f"no {mode} mode"})
    return gaps


def throughput_exhibit(frame, names: dict[str, str], link, where: str, phase: str, batch_size: int) -> Exhibit | None:
    """Throughput of every framework × mode × precision at one batch size, with confidence intervals."""
    rows = frame[(frame["phase"] == phase) & (frame["batch_size"] == batch_size)]
    if rows.empty:
        return None
    order = _setup_order(rows)
    values = [
        {"framework_name": names.get(r.framework, r.framework), "setup": setup_label(r.mode, r.precision),
         "throughput": r.throughput_samples_per_s, "ci_low": r.throughput_ci_low, "ci_high": r.throughput_ci_high}
        for r in records(rows)
    ]
    phase_label = PHASE_LABELS[phase]
    title = f"{phase_label} throughput, batch {batch_size}"
    spec = finish(
        _bars(values, names, "throughput", "Throughput (samples/s)", "setup", order, ci=True),
        title, "Higher is better.",
    )
    caption = (f"{phase_label} throughput in samples per second of each framework, by execution mode and precision, "
               f"at batch size {batch_size}; higher is better. Measured on {where}. {CI_NOTE}")
    table = fitted(
        ["Throughput (samples/s)", "95% CI", "Framework", "Mode", "Precision"],
        [[link(number(r.throughput_samples_per_s), r.result_id),
          interval(r.throughput_ci_low, r.throughput_ci_high, r.throughput_samples_per_s),
          names.get(r.framework, r.framework), r.mode, r.precision]
         for r in records(rows.sort_values(["framework", "mode", "precision"]))],
        first=["Throughput (samples/s)"], caption=f"Batch: {batch_size}",
    )
    return Exhibit(title, Chart(f"throughput-{phase}", spec, title, caption), table)


def sweep_exhibit(frame, names: dict[str, str], link, where: str, phase: str) -> Exhibit | None:
    """Throughput against batch size, for every setup measured at three or more batch sizes."""
    rows = frame[frame["phase"] == phase]
    swept = rows.groupby(["framework", "mode", "precision"])["batch_size"].transform("nunique") >= 3
    rows = rows[swept]
    if rows.empty:
        return None
    values = [
        {"framework_name": names.get(r.framework, r.framework), "setup": setup_label(r.mode, r.precision),
         "batch_size": int(r.batch_size), "throughput": r.throughput_samples_per_s}
        for r in records(rows)
    ]
    title = f"{PHASE_LABELS[phase]} throughput against batch size"
    chart = alt.Chart(alt.Data(values=values)).mark_line(point=True).encode(
        x=alt.X("batch_size:Q", title="Batch size (samples, log scale)", scale=alt.Scale(type="log", base=2)),
        y=alt.Y("throughput:Q", title="Throughput (samples/s)", axis=alt.Axis(format=",.3~g")),
        color=alt.Color("framework_name:N", title="Framework", scale=framework_scale(names)),
        strokeDash=alt.StrokeDash("setup:N", title="Mode · precision", sort=_setup_order(rows)),
        detail="setup:N",
        tooltip=["framework_name:N", "setup:N", "batch_size:Q", alt.Tooltip("throughput:Q", format=",.3~g")],
    )
    spec = finish(chart, title, "Higher is better.")
    caption = (f"{PHASE_LABELS[phase]} throughput in samples per second as the batch grows, one line per framework, "
               f"mode and precision; higher is better. Measured on {where}.")
    table = fitted(
        ["Throughput (samples/s)", "Batch size", "Framework", "Mode", "Precision"],
        [[link(number(r.throughput_samples_per_s), r.result_id), int(r.batch_size),
          names.get(r.framework, r.framework), r.mode, r.precision]
         for r in records(rows.sort_values(["framework", "mode", "precision", "batch_size"]))],
        first=["Throughput (samples/s)", "Batch size"],
    )
    return Exhibit(title, Chart(f"sweep-{phase}", spec, title, caption), table)


def speedup_exhibit(frame, names: dict[str, str], link, where: str) -> Exhibit | None:
    """How much faster compiled mode is than eager mode, in each framework, for every setup measured in both."""
    keys = ["framework", "precision", "phase", "batch_size"]
    eager = frame[frame["mode"] == "eager"].set_index(keys)
    compiled = frame[frame["mode"] == "compiled"].set_index(keys)
    both = eager.merge(compiled, left_index=True, right_index=True, suffixes=("_eager", "_compiled")).reset_index()
    if both.empty:
        return None
    both["speedup"] = both["throughput_samples_per_s_compiled"] / both["throughput_samples_per_s_eager"]
    both["case"] = [f"{PHASE_LABELS[p].lower()} · {pr} · batch {b}"
                    for p, pr, b in zip(both["phase"], both["precision"], both["batch_size"], strict=True)]
    order = sorted(set(both["case"]), key=lambda c: (c.split(" · ")[0], PRECISION_ORDER.index(c.split(" · ")[1]),
                                                     int(c.rsplit(" ", 1)[1])))
    values = [{"framework_name": names.get(r.framework, r.framework), "case": r.case, "speedup": r.speedup}
              for r in records(both)]
    title = "Speed-up of compiled over eager mode"
    chart = _bars(values, names, "speedup", "Compiled ÷ eager throughput (×)", "case", order,
                  value_format=".2~f", rule_at=1.0)
    spec = finish(chart, title, "Right of the dashed line: compiling helps.")
    caption = ("Throughput in compiled mode (torch.compile; XLA via tf.function(jit_compile=True)) divided by "
               f"throughput in eager mode, per framework; above 1 means compiling made it faster. Measured on {where}.")
    table = fitted(
        ["Speed-up", "Framework", "Phase", "Precision", "Batch", "Eager (samples/s)", "Compiled (samples/s)"],
        [[f"{r.speedup:.2f}×", names.get(r.framework, r.framework), PHASE_LABELS[r.phase].lower(), r.precision,
          int(r.batch_size), link(number(r.throughput_samples_per_s_eager), r.result_id_eager),
          link(number(r.throughput_samples_per_s_compiled), r.result_id_compiled)]
         for r in records(both.sort_values(keys))],
        first=["Speed-up"],
    )
    return Exhibit(title, Chart("speedup", spec, title, caption), table)


def latency_exhibit(frame, names: dict[str, str], link, where: str, step_times: dict[str, list[float]]) -> Exhibit | None:
    """The distribution of per-step latency at batch 1 (inference), from every measured step's raw time."""
    rows = frame[(frame["phase"] == "inference") & (frame["batch_size"] == 1)]
    rows = rows[rows["result_id"].map(lambda rid: bool(step_times.get(rid)))]
    if rows.empty:
        return None
    values = []
    labels = []
    for r in records(rows.sort_values(["framework", "mode", "precision"])):
        label = f"{names.get(r.framework, r.framework)} · {setup_label(r.mode, r.precision)}"
        labels.append(label)
        values += [{"framework_name": names.get(r.framework, r.framework), "setup": label, "latency_ms": t * 1000}
                   for t in step_times[r.result_id]]
    title = "Inference latency at batch 1"
    chart = alt.Chart(alt.Data(values=values)).mark_boxplot(extent="min-max", size=14).encode(
        x=alt.X("latency_ms:Q", title="Latency per step (ms)", scale=alt.Scale(zero=False),
                axis=alt.Axis(format=",.3~g", labelOverlap=True, tickCount=6)),
        y=alt.Y("setup:N", title=None, sort=labels),
        color=alt.Color("framework_name:N", title="Framework", scale=framework_scale(names)),
    )
    spec = finish(chart, title, "Lower is better.")
    caption = ("Distribution of the time of one inference step with a single sample, over every measured step "
               "(box: quartiles and median; whiskers: fastest and slowest step); lower is better. "
               f"Measured on {where}.")
    table = fitted(
        ["p50 (ms)", "p90 (ms)", "p99 (ms)", "Framework", "Mode", "Precision", "Steps"],
        [[link(number(r.latency_ms_p50), r.result_id), number(r.latency_ms_p90), number(r.latency_ms_p99),
          names.get(r.framework, r.framework), r.mode, r.precision, len(step_times[r.result_id])]
         for r in records(rows.sort_values(["framework", "mode", "precision"]))],
        first=["p50 (ms)", "p90 (ms)", "p99 (ms)"], caption="Batch: 1",
    )
    return Exhibit(title, Chart("latency", spec, title, caption), table)


def _per_setup_rows(frame, reference_batch: dict[str, int]):
    """The rows at each phase's reference batch size (the one the throughput charts use)."""
    rows = frame[frame["batch_size"] == frame["phase"].map(reference_batch)]
    labels = [f"{PHASE_LABELS[p].lower()} · {setup_label(m, pr)} · b{b}"
              for p, m, pr, b in zip(rows["phase"], rows["mode"], rows["precision"], rows["batch_size"], strict=True)]
    rows = rows.assign(case=labels)
    order = [label for _, label in sorted(
        {((r.phase, MODE_ORDER.index(r.mode), PRECISION_ORDER.index(r.precision)), r.case) for r in records(rows)})]
    return rows, order


MEMORY_KINDS = {"device": "device memory (GPU)", "host-rss": "peak resident memory of the process",
                "host-rss-delta": "increase of the process's resident memory during the run"}


def memory_exhibit(frame, names: dict[str, str], link, where: str, reference_batch: dict[str, int]) -> Exhibit | None:
    rows, order = _per_setup_rows(frame, reference_batch)
    if rows.empty:
        return None
    measured = rows[rows["peak_memory_mb"].notna()]
    values = [{"framework_name": names.get(r.framework, r.framework), "case": r.case, "memory": r.peak_memory_mb}
              for r in records(measured)]
    kinds = sorted({MEMORY_KINDS.get(k, k) for k in measured["memory_kind"].dropna()})
    title = "Peak memory"
    if values:
        chart = _bars(values, names, "memory", "Peak memory (MB)", "case", order, value_format=",.0f")
    else:  # nothing measured: an empty chart with the same axes, and the table says "not measured"
        chart = _bars([{"framework_name": n, "case": "not measured", "memory": None} for n in names.values()],
                      names, "memory", "Peak memory (MB)", "case", ["not measured"], value_format=",.0f")
    spec = finish(chart, title, "Lower is better.")
    caption = (f"Peak memory in megabytes of each run ({'; '.join(kinds) or 'not measured'}), by phase, mode, "
               f"precision and batch size; lower is better. Runs without a memory figure are left out of the chart "
               f"and marked “not measured” in the table. Measured on {where}.")
    table = fitted(  # what was measured is one sentence for every row on one machine: said once, in the caption
        ["Peak memory (MB)", "Framework", "Phase", "Mode", "Precision", "Batch", "What was measured"],
        [[link(number(r.peak_memory_mb), r.result_id) if r.peak_memory_mb == r.peak_memory_mb and
          r.peak_memory_mb is not None else "not measured", names.get(r.framework, r.framework),
          PHASE_LABELS[r.phase].lower(), r.mode, r.precision, int(r.batch_size),
          MEMORY_KINDS.get(r.memory_kind, "—") if isinstance(r.memory_kind, str) else "—"]
         for r in records(rows.sort_values(["phase", "framework", "mode", "precision"]))],
        first=["Peak memory (MB)"],
    )
    return Exhibit(title, Chart("memory", spec, title, caption), table)


def utilisation_exhibit(frame, names: dict[str, str], link, where: str,
                        reference_batch: dict[str, int]) -> Exhibit | None:
    rows, order = _per_setup_rows(frame, reference_batch)
    rows = rows[rows["utilisation"].notna()] if len(rows) else rows
    if rows.empty:
        return None
    values = [{"framework_name": names.get(r.framework, r.framework), "case": r.case, "utilisation": r.utilisation}
              for r in records(rows)]
    title = "Utilisation of the machine's peak"
    chart = _bars(values, names, "utilisation", "Achieved FLOP/s ÷ the machine's peak", "case", order,
                  value_format=".0%", domain=(0, 1))
    spec = finish(chart, title, "The right edge is the machine's measured matmul peak, the same for both frameworks.")
    caption = ("Achieved FLOP/s (model FLOPs × throughput; 1 multiply-accumulate = 2 FLOPs) as a share of the "
               "machine's peak in that precision: the fastest large matrix multiplication PyTorch, TensorFlow or "
               f"NumPy ran on the same machine, one denominator for both frameworks. Measured on {where}.")
    table = fitted(
        ["Utilisation", "Framework", "Phase", "Mode", "Precision", "Batch", "Achieved (GFLOP/s)", "Peak (GFLOP/s)"],
        [[link(f"{r.utilisation:.0%}", r.result_id), names.get(r.framework, r.framework),
          PHASE_LABELS[r.phase].lower(), r.mode, r.precision, int(r.batch_size),
          number(r.achieved_flops_per_s / 1e9), number(r.peak_flops_per_s / 1e9)]
         for r in records(rows.sort_values(["phase", "framework", "mode", "precision"]))],
        first=["Utilisation"],
    )
    return Exhibit(title, Chart("utilisation", spec, title, caption), table)
