"""The fact-check: every claim of the article with its verdict, the evidence, the sources, and our measurements.

A claim whose ``measured_by`` names benchmark tasks also shows what our results say for those tasks (the same
"who is faster" rows as the benchmark pages, fp32 and each framework's best mode) or, where nothing was measured,
says so and how to contribute it. The verdict itself stays the knowledge base's (reviewed by a person); the page
puts the measurements next to it so a reader can check one against the other.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from markupsafe import Markup

from generator.bench.accuracy.stats import summarise_all
from generator.kb.models import Claim, ClaimStatus
from generator.site.accuracy import PAGE as ACCURACY_PAGE
from generator.site.benchmarks import (
    PERFORMANCE_TASKS,
    Links,
    comparison_table,
    comparisons,
    framework_names,
    machine_groups,
    task_page_path,
)
from generator.site.charts import MarkdownPage, md_paragraphs, md_render
from generator.site.context import Page, SiteContext
from generator.site.environments import FACTCHECK_PAGE
from generator.site.markup import inert
from generator.site.methodology import CONTRIBUTE_ANCHOR, METHODOLOGY_PAGE
from generator.site.pagekit import STATUS_LABELS, STATUS_MEANINGS, badge

SECTION = "Fact-check"

# The article's sections in its own order (its table of contents), so the page reads along with the article.
ARTICLE_SECTIONS = (
    "Introduction",
    "Overview of TensorFlow and PyTorch",
    "Key Differences Between TensorFlow and PyTorch",
    "Ease of Use",
    "Performance and Speed",
    "Flexibility and Customization",
    "Community Support and Adoption",
    "Deployment Capabilities",
    "Use Cases",
    "Benchmarking: Performance Comparison",
    "Future Trends in AI Frameworks",
    "Pros and Cons of TensorFlow and PyTorch",
    "Conclusion",
    "FAQs",
    "References",
)


def _section_order(section: str) -> tuple[int, str]:
    lowered = section.lower()
    for index, known in enumerate(ARTICLE_SECTIONS):
        if lowered.startswith(known.lower()) or known.lower().startswith(lowered):
            return index, section
    return len(ARTICLE_SECTIONS), section


def performance_evidence(ctx: SiteContext, task_id: str, links: Links) -> Markup:
    """Our measurements for one task: per machine, the fp32 and best-mode rows of the comparison."""
    names = framework_names(ctx)
    title = next((t.title for t in ctx.kb.benchmarks if t.id == task_id), task_id)
    parts = []
    for machine, rows in machine_groups(ctx.results.frame):
        task_rows = rows[rows["task"] == task_id]
        if task_rows.empty:
            continue
        chosen = [c for c in comparisons(task_rows, task_id, names) if c.precision == "fp32"]
        parts.append(Markup("On {}:\n\n{}").format(links.machine(machine.where, machine),
                                                     comparison_table(chosen, links).markdown()))
    heading = Markup("**{}** ({})").format(inert(title), links.to("all charts", task_page_path(task_id)))
    if not parts:
        return heading + Markup(": ") + links.not_measured()
    return heading + Markup(".\n\n") + Markup("\n\n").join(parts)


def accuracy_evidence(ctx: SiteContext, task_id: str, links: Links) -> Markup:
    """The accuracy-parity verdict, from the same statistics as the accuracy page (so the two cannot disagree).

    Busy runs count here: a seed's accuracy does not depend on the machine's load, only its timings do.
    """
    title = next((t.title for t in ctx.kb.benchmarks if t.id == task_id), task_id)
    heading = Markup("**{}** ({})").format(inert(title), links.to("learning curves and every run", ACCURACY_PAGE))
    comparisons = [c for c in summarise_all(ctx.results.accuracy) if c.task == task_id]
    if not comparisons:
        return heading + Markup(": ") + links.not_measured()
    comparison, names = comparisons[0], framework_names(ctx)
    items = []
    for framework, summary in sorted(comparison.frameworks.items()):
        spread = summary.final_accuracy
        deviation = f" ± {spread.std:.2%} (standard deviation)" if spread.std is not None else ""
        items.append(Markup("- {}: mean final test accuracy {}{} over {} seeds on {}").format(
            inert(names.get(framework, framework)), inert(f"{spread.mean:.2%}"), inert(deviation), spread.n,
            inert(comparison.dataset)))
    return heading + Markup(": {}\n\n").format(inert(comparison.verdict)) + Markup("\n").join(items)


def evidence_for(ctx: SiteContext, claim: Claim, links: Links, cache: dict[str, Markup]) -> list[Markup]:
    """Our measurements for each task the claim names (computed once per task: several claims share tasks)."""
    for task_id in claim.measured_by:
        if task_id not in cache:
            builder = performance_evidence if task_id in PERFORMANCE_TASKS else accuracy_evidence
            cache[task_id] = builder(ctx, task_id, links)
    return [cache[task_id] for task_id in claim.measured_by]


def pages(ctx: SiteContext) -> list[Page]:
    kit = MarkdownPage(ctx, FACTCHECK_PAGE)
    links = Links(FACTCHECK_PAGE)
    evidence: dict[str, Markup] = {}
    by_section: dict[str, list[Claim]] = defaultdict(list)
    for claim in ctx.kb.claims:
        by_section[claim.section].append(claim)
    sections = []
    for section in sorted(by_section, key=_section_order):
        claims = []
        for claim in sorted(by_section[section], key=lambda c: c.id):
            edit = kit.shows("claims", claim.id, claim.last_reviewed)
            claims.append({
                "anchor": Markup('<span id="claim-{}"></span>').format(claim.id),
                "badge": badge(claim.status),
                "quote": inert(claim.quote),
                "evidence": md_paragraphs(claim.evidence),
                "cites": kit.cite(claim.sources),
                "reviewed": Markup('<time datetime="{}">{}</time>').format(
                    claim.last_reviewed.isoformat(), f"{claim.last_reviewed.day} {claim.last_reviewed:%B %Y}"),
                "edit": edit,
                "measurements": evidence_for(ctx, claim, links, evidence),
            })
        sections.append({"title": section, "claims": claims})
    counts = Counter(claim.status for claim in ctx.kb.claims)
    body = md_render(
        "benchmarks/factcheck.md.j2",
        sections=sections,
        total=len(ctx.kb.claims),
        counts=[{"badge": badge(status), "count": counts.get(status, 0), "label": STATUS_LABELS[status]}
                for status in ClaimStatus],
        legend=Markup("; ").join(Markup("{} {}").format(badge(status), STATUS_MEANINGS[status])
                                  for status in ClaimStatus),
        contribute=links.to("contribute a measurement", METHODOLOGY_PAGE, CONTRIBUTE_ANCHOR),
    )
    return [kit.page("Fact-check", body, section=SECTION, order=0,
                     description="Every claim of the article with its verdict, evidence, sources and our "
                                 "measurements.")]
