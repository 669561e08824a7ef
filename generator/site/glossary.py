"""The words the results pages use, explained once: a glossary page, and a tooltip wherever a term appears.

Every term has a short definition (the tooltip) and an anchor on the glossary page. The Markdown results pages get
the terms as Python-Markdown abbreviations (the ``abbr`` extension, with Material's ``content.tooltips``): each
page ends with the ``*[term]: definition`` lines, so every use of a term on it carries its definition, with no
snippet file and nothing engine-specific. HTML pages (the knowledge-base pages, the fact-check) are stashed raw
blocks that Markdown does not read, so they use :func:`abbr` where they print a term, or link to the page.

The definitions restate the harness's conventions (``generator.results.schema`` and
``generator.bench.methodology``); they add no fact of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from generator.site.context import Page, SiteContext
from generator.site.markup import render, safe_id
from generator.site.pagekit import PageKit

PAGE = "glossary.md"


@dataclass(frozen=True)
class Term:
    term: str  # as it appears on the pages (abbreviations match it as a whole word, case-sensitively)
    short: str  # the tooltip: one sentence, no markup
    anchor: str = ""
    also: tuple[str, ...] = ()  # other spellings that get the same tooltip

    @property
    def id(self) -> str:
        return self.anchor or safe_id("-".join(self.term.lower().replace("/", " ").split()))


TERMS: tuple[Term, ...] = (
    Term("best of each", "Each framework in its own fastest measured mode (eager, graph or compiled), compared "
         "with the other's fastest.", "best-of-each", ("best mode",)),
    Term("eager", "Operations run one at a time as the Python code calls them: PyTorch's default, and "
         "TensorFlow's Keras model called directly."),
    Term("graph", "TensorFlow only: the model traced once with tf.function (without XLA) and run as a graph, the "
         "long-standing default of Keras fit and predict. PyTorch has no separate graph mode."),
    Term("compiled", "The framework's compiler: torch.compile for PyTorch, tf.function with jit_compile=True "
         "(XLA) for TensorFlow."),
    Term("fp32", "32-bit floating point throughout: every weight and activation in single precision."),
    Term("bf16", "Mixed precision with bfloat16 (16-bit) compute and fp32 master weights."),
    Term("fp16", "Mixed precision with float16 compute and loss scaling (used on GPUs)."),
    Term("samples/s", "Throughput: samples processed per second, from the median of the repeats."),
    Term("95% CI", "95% confidence interval: a bootstrap interval of the median over repeats; two intervals "
         "that overlap make a difference too close to call.", "ci", ("CI",)),
    Term("too close to call", "The two frameworks' 95% confidence intervals overlap, so the measured "
         "difference may be noise."),
    Term("p50", "Latency percentiles: the step time that 50%, 90% or 99% of the measured steps stayed under "
         "(p50 is the median).", "percentiles", ("p90", "p99")),
    Term("utilisation", "Achieved FLOP/s divided by the peak FLOP/s measured by a matmul calibration in the same "
         "framework, precision and threads on the same machine."),
    Term("calibrated peak", "The machine's peak FLOP/s as measured by a large matrix multiplication in the same "
         "framework, precision and thread settings (the denominator of utilisation).", "calibrated-peak"),
    Term("FLOPs", "Floating-point operations: one multiply-accumulate counts as 2; a training step counts the "
         "forward and backward passes (3× the forward)."),
    Term("peak memory", "The most memory a run used: on a CPU the process's resident-memory high-water mark minus "
         "its size before the run (so the framework import is not counted), on a GPU the device memory."),
    Term("sd", "Standard deviation across seeds (or repeats).", "standard-deviation"),
    Term("p-value", "The chance of a difference at least this large if the two frameworks were equally "
         "accurate; below 0.05 counts as a significant difference here.", "p-value"),
    Term("seed", "The random seed of one training run; the same seed gives both frameworks the same initial "
         "weights and batches in the accuracy benchmark."),
)


def abbreviations() -> str:
    """The abbreviation definitions a Markdown page ends with (the ``abbr`` extension reads them)."""
    lines = []
    for term in TERMS:
        for spelling in (term.term, *term.also):
            lines.append(f"*[{spelling}]: {_attribute_safe(term.short)}")
    return "\n".join(lines)


def abbr(term: str, label: str | None = None) -> Markup:
    """A term in an HTML page with its definition as the tooltip (the same text the Markdown pages show)."""
    found = next((t for t in TERMS if term == t.term or term in t.also), None)
    shown = escape(label or term)
    if found is None:
        return Markup(shown)
    return Markup(f'<abbr title="{escape(found.short)}">{shown}</abbr>')


def _attribute_safe(value: str) -> str:
    # Python-Markdown puts the definition in a title attribute and escapes it; keep it one line of plain text.
    return " ".join(value.split())


def pages(ctx: SiteContext) -> list[Page]:
    kit = PageKit(ctx, PAGE)
    body = render("glossary.html.j2", terms=[
        {"id": term.id, "names": " · ".join((term.term, *term.also)), "short": term.short} for term in TERMS])
    return [kit.page("Glossary", body, section="About", order=5,
                     description="The words the benchmark and fact-check pages use: best of each, eager, graph, "
                                 "compiled, bf16, percentiles, confidence intervals, utilisation.")]
