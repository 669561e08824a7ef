"""The methodology page, generated from the harness's own settings so it cannot drift from the code.

``generator.bench.methodology`` holds every choice the harness makes (warm-up, repeats, statistics, thread
settings, quiet-machine thresholds, suites), each with its reason in a comment. This writer reads that module twice:
its values (imported) and its comments (read from the source with :mod:`tokenize`), so the page shows the number
the harness uses *and* the reason its author gave. The conventions of the result schema (``generator.results.schema``)
and the settings actually recorded in the stored results are added below, so a reader can check that the runs
used the settings described.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from markupsafe import Markup

from generator.bench import methodology as harness
from generator.results import schema as result_schema
from generator.site.charts import Table
from generator.site.context import Page, SiteContext
from generator.site.markdown_pages import MarkdownPage, contributing_page, md_paragraphs, md_render
from generator.site.markup import inert

SECTION = "Benchmarks"
METHODOLOGY_PAGE = "benchmarks/methodology.md"
CONTRIBUTE_ANCHOR = "contribute-a-measurement"

_SECTION_COMMENT = re.compile(r"^#\s*-{2,}\s*(?P<title>.+?)\s*-{2,}\s*$")
_STRUCTURED = {"SUITES", "CALIBRATION"}  # rendered as their own tables below


@dataclass
class Setting:
    name: str
    value: Any
    why: str  # the inline comment, if any


@dataclass
class Block:
    """One ``# --- Section ---`` of the module: its comments and settings, in source order."""

    title: str
    items: list[str | list[Setting]] = field(default_factory=list)  # a comment paragraph, or a run of settings

    def add_prose(self, line: str) -> None:
        if self.items and isinstance(self.items[-1], str):
            self.items[-1] += " " + line
        else:
            self.items.append(line)

    def add_setting(self, setting: Setting) -> None:
        if self.items and isinstance(self.items[-1], list):
            self.items[-1].append(setting)
        else:
            self.items.append([setting])


def read_settings(module: ModuleType) -> list[Block]:
    """The module's top-level constants grouped by its ``# --- Section ---`` comments, with their comments."""
    source = inspect.getsource(module)
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
    lines = source.splitlines()
    blocks: list[Block] = [Block("General")]
    consumed: set[int] = set()
    for node in ast.parse(source).body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        for number in sorted(n for n in comments if n < start and n not in consumed):
            consumed.add(number)
            text = comments[number]
            if lines[number - 1].lstrip() != text:  # an inline comment of an earlier line: already used
                continue
            header = _SECTION_COMMENT.match(text)
            if header:
                blocks.append(Block(header.group("title")))
            else:
                blocks[-1].add_prose(text.lstrip("#").strip())
        names = []
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        span = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        consumed.update(span)
        for name in names:
            if name.isupper() and not name.startswith("_") and name not in _STRUCTURED:
                inline = next((comments[n] for n in span if n in comments and lines[n - 1].lstrip() != comments[n]),
                              "")
                blocks[-1].add_setting(Setting(name, getattr(module, name), inline.lstrip("#").strip()))
    return [block for block in blocks if block.items]


def format_value(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a suite: its words and numbers, no repr
        fields = [item.name for item in dataclasses.fields(value) if item.name not in ("name", "description")]
        numbers = " · ".join(f"{name.replace('_', ' ')} {format_value(getattr(value, name))}" for name in fields)
        description = getattr(value, "description", "")
        return f"{description} ({numbers})" if description else numbers
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if not value:
            return "none (defaults)"
        return "; ".join(f"{key}: {format_value(item)}" for key, item in value.items())
    if isinstance(value, tuple | list):
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


def suites_table() -> Table:
    """One row per block of runs of each suite (kept narrow: a table wider than the page cannot be read)."""
    rows = []
    for suite in harness.SUITES.values():
        timing = (f"{suite.warmup_steps} warm-up; {suite.repeats} × {suite.measured_steps} steps; "
                  f"timeout {suite.timeout_s:g} s")
        for sweep in suite.sweeps:
            runs = "; ".join(f"{'other tasks' if task == '*' else task}: {format_value(sizes)}"
                             for task, sizes in sweep.batch_sizes.items() if sizes)
            points = [", ".join(f"{name} {value}" for name, value in point.items())
                      for point in sweep.shape_points if point]
            if points:
                runs += f"; at {format_value(points)}"
            if sweep.threads != "all":
                runs += "; threads 1, 2, 4, … up to the cores"
            what = (f"{', '.join(sweep.phases)} · modes: {format_value(sweep.modes) if sweep.modes else 'all'} · "
                    f"precisions: {format_value(sweep.precisions) if sweep.precisions else 'all the device supports'}")
            rows.append([Markup(f"`{suite.name}`"), ", ".join(suite.devices), timing, what, runs,
                         sweep.purpose or "—"])
    return Table(["Suite", "Devices", "Steps", "Runs", "Batch sizes", "Purpose"], rows)


def calibration_table() -> Table:
    rows = [[device, f"{plan.size:,} × {plan.size:,}", plan.warmup, plan.trials, plan.inner]
            for device, plan in harness.CALIBRATION.items()]
    return Table(["Device", "Matrix size", "Warm-up matmuls", "Timed trials (best kept)", "Matmuls per trial"],
                 rows)


def schema_conventions() -> list[str]:
    """The bullet list under "Conventions, stated once" in generator/results/schema.py's docstring."""
    doc = result_schema.__doc__ or ""
    _, _, rest = doc.partition("Conventions, stated once:")
    bullets = re.split(r"\n- ", "\n" + rest.split("\n\n")[0].strip())
    return [" ".join(b.replace("``", "").split()) for b in bullets if b.strip()]


def recorded_settings(ctx: SiteContext) -> Table | None:
    """The settings the stored results say they ran with: per suite, device and framework, every distinct value."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for result in ctx.results.performance:
        c = result.config
        steps = f"{c.warmup_steps} warm-up; {c.repeats} × {c.measured_steps} steps"
        threads = f"{c.threads} intra-op, {c.inter_op_threads} inter-op"
        switches = f"TF32 {format_value(c.tf32)}, channels-last {format_value(c.channels_last)}, XLA {format_value(c.xla)}"
        counts[(c.suite, c.device, c.framework, steps, threads, switches)] += 1
    if not counts:
        return None
    rows = [[*key, count] for key, count in sorted(counts.items(), key=str)]
    return Table(["Suite", "Device", "Framework", "Steps", "Threads", "Switches", "Runs"], rows)


def pages(ctx: SiteContext) -> list[Page]:
    kit = MarkdownPage(ctx, METHODOLOGY_PAGE)
    blocks = [
        {
            "title": block.title,
            "parts": [
                inert(item.replace("`", "")) if isinstance(item, str) else Markup("\n").join(
                    Markup("- `{}`: **{}**{}").format(
                        Markup(s.name), inert(format_value(s.value)),
                        Markup(" — ") + inert(s.why) if s.why else "")
                    for s in item)
                for item in block.items
            ],
        }
        for block in read_settings(harness)
    ]
    contributing = contributing_page(ctx)
    body = md_render(
        "benchmarks/methodology.md.j2",
        module=Markup(f"`{harness.__name__}`"),
        intro=md_paragraphs(inspect.getdoc(harness) or ""),
        blocks=blocks,
        suites=suites_table().markdown(),
        calibration=calibration_table().markdown(),
        conventions=[inert(text) for text in schema_conventions()],
        recorded=(table.markdown() if (table := recorded_settings(ctx)) else None),
        contribute_anchor=CONTRIBUTE_ANCHOR,
        contributing=kit.link("contributing guide", contributing) if contributing else None,
    )
    return [kit.page("Methodology", body, section=SECTION, order=80,
                     description="How the benchmarks measure: warm-up, repeats, statistics, synchronisation, "
                                 "threads, FLOP convention — generated from the harness's settings.")]
