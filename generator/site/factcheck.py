"""The fact-check: every claim of the article with its verdict, the evidence, the sources, and our measurements.

A claim whose ``measured_by`` names benchmark tasks also shows what our results say for those tasks (the same
"who is faster" rows as the benchmark pages, fp32 and each framework's best mode) or, where nothing was measured,
says so and how to contribute it. The status stays the knowledge base's (reviewed by a person); beside it the page
shows the *computed* measured verdict of the claim's declared comparison per machine, with its numbers
(:mod:`generator.site.verdicts`), and says so plainly when the two disagree, with the reviewer's explanation.

The page lists every claim of the knowledge base, so it grows with it: like the other knowledge-base pages it is
rendered straight to HTML (autoescaped Jinja, :class:`~generator.site.pagekit.PageKit`), never through Markdown,
which on a 100× knowledge base cost more than the rest of the build together.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from markupsafe import Markup

from generator.bench.accuracy.stats import AccuracyComparison, summarise_all
from generator.kb.models import Claim, ClaimStatus
from generator.site import deployment, scaling, sweeps
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
from generator.site.context import Page, SiteContext
from generator.site.environments import ENVIRONMENTS_PAGE, FACTCHECK_PAGE
from generator.site.markup import inert, paragraphs, render, text
from generator.site.methodology import CONTRIBUTE_ANCHOR, METHODOLOGY_PAGE
from generator.site.pagekit import STATUS_LABELS, STATUS_MEANINGS, PageKit, badge, long_date
from generator.site.verdicts import DATASET_NAMES, ClaimVerdicts, all_verdicts

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
        parts.append(Markup("<p>On {}:</p>\n{}").format(links.machine(machine.where, machine),
                                                         comparison_table(chosen, links).html()))
    heading = Markup("<strong>{}</strong> ({})").format(inert(title), links.to("all charts", task_page_path(task_id)))
    if not parts:
        return Markup("<p>{}: {}</p>").format(heading, links.not_measured())
    return Markup("<p>{}.</p>\n").format(heading) + Markup("\n").join(parts)


def accuracy_evidence(ctx: SiteContext, task_id: str, links: Links,
                      summaries: list[AccuracyComparison]) -> Markup:
    """The accuracy-parity verdict, from the same statistics as the accuracy page (so the two cannot disagree).

    Busy runs count here: a seed's accuracy does not depend on the machine's load, only its timings do.
    """
    title = next((t.title for t in ctx.kb.benchmarks if t.id == task_id), task_id)
    heading = Markup("<strong>{}</strong> ({})").format(
        inert(title), links.to("learning curves and every run", ACCURACY_PAGE))
    comparison = next((c for c in summaries if c.task == task_id), None)
    if comparison is None:
        return Markup("<p>{}: {}</p>").format(heading, links.not_measured())
    names = framework_names(ctx)
    items = []
    for framework, summary in sorted(comparison.frameworks.items()):
        spread = summary.final_accuracy
        deviation = f" ± {spread.std:.2%} (standard deviation)" if spread.std is not None else ""
        items.append(Markup("<li>{}: mean final test accuracy {}{} over {} seeds on {}</li>").format(
            inert(names.get(framework, framework)), inert(f"{spread.mean:.2%}"), inert(deviation), spread.n,
            inert(DATASET_NAMES.get(comparison.dataset, comparison.dataset))))
    return Markup("<p>{}: {}</p>\n<ul>\n{}\n</ul>").format(heading, inert(comparison.verdict),
                                                           Markup("\n").join(items))


def measured_verdict(claim: Claim, verdicts: ClaimVerdicts | None, links: Links,
                     task_titles: dict[str, str], names: dict[str, str]) -> dict[str, object] | None:
    """What the template shows of a claim's computed verdict: the statement, each machine's outcome with the
    numbers behind it, and whether (and why) the human status differs."""
    if not claim.measured_by:
        return None
    if verdicts is None:
        return {"statement": None, "machines": [], "disagrees": False, "why": None}
    machines = []
    for machine in verdicts.machines:
        tasks = []
        for task in machine.tasks:
            sides = Markup("; ").join(
                links.run(side.text(names), side.result_id) if side.result_id else inert(side.text(names))
                for side in task.sides)
            tasks.append({"title": task_titles.get(task.task, task.task), "outcome": task.outcome.value,
                          "detail": task.detail, "sides": sides, "in_scope": task.in_scope})
        where = (links.to(machine.where, ENVIRONMENTS_PAGE, machine.anchor) if machine.anchor
                 else inert(machine.where))
        machines.append({"where": where, "outcome": machine.outcome.value,
                         "css": machine.outcome.name.replace("_", "-"), "tasks": tasks})
    suggested = verdicts.disagreement(claim.status)
    return {"statement": verdicts.statement, "machines": machines, "disagrees": suggested is not None,
            "suggested": suggested, "why": verdicts.why_status_differs,
            "nowhere": not verdicts.measured}


_NOT_ANCHOR = re.compile(r"[^a-z0-9]+")


def section_anchor(title: str, taken: set[str]) -> str:
    """A heading id for an article section (contributors' text): kebab-case, unique on the page."""
    base = _NOT_ANCHOR.sub("-", title.lower()).strip("-") or "section"
    anchor, number = base, 1
    while anchor in taken:
        number += 1
        anchor = f"{base}-{number}"
    taken.add(anchor)
    return anchor


EVIDENCE_PAGES = {deployment.ENTRY_ID: (deployment.PAGE, "every path, with its numbers"),
                  sweeps.ENTRY_ID: (sweeps.PAGE, "how the answer changes with batch, sequence length and threads"),
                  scaling.ENTRY_ID: (scaling.PAGE, "1 and 2 workers, the equivalence check")}


def evidence_links(claim: Claim, links: Links, task_titles: dict[str, str]) -> Markup:
    """Where the full measurements behind a claim are: each task's page (speed), the accuracy or deployment page."""
    found = []
    for task_id in claim.measured_by:
        if task_id in PERFORMANCE_TASKS:
            target, label = task_page_path(task_id), "who is faster, every mode and precision"
        elif task_id in EVIDENCE_PAGES:
            target, label = EVIDENCE_PAGES[task_id]
        else:
            target, label = ACCURACY_PAGE, "learning curves and every run"
        found.append(Markup("{} ({})").format(inert(task_titles.get(task_id, task_id)), links.to(label, target)))
    return Markup("; ").join(found)


def short_verdict(claim: Claim, verdicts: ClaimVerdicts | None) -> str:
    """The measured verdict in a few words for the summary table: the outcome on the machines that measured it."""
    if not claim.measured_by:
        return "not benchmarked (cited evidence)"
    if verdicts is None:
        return "measured, no comparison declared"
    outcomes = Counter(machine.outcome.value for machine in verdicts.measured)
    if not outcomes:
        return "not measured yet"
    return "; ".join(f"{outcome} ({count} machine{'s' if count > 1 else ''})" for outcome, count in outcomes.items())


def pages(ctx: SiteContext) -> list[Page]:
    kit = PageKit(ctx, FACTCHECK_PAGE)
    links = Links(FACTCHECK_PAGE, html=True)
    summaries = summarise_all(ctx.results.accuracy)  # once: the same statistics as the accuracy page
    verdicts = all_verdicts(ctx.kb, ctx.results)
    task_titles = {task.id: task.title for task in ctx.kb.benchmarks}
    names = framework_names(ctx)
    evidence: dict[str, Markup] = {}  # per task: several claims share a task

    def measurements(claim: Claim) -> list[Markup]:
        """The measurement blocks of a claim without a computed comparison (one with a comparison shows its
        numbers once, in the measured verdict): only the kind of measurement the claim speaks of. The scaling
        runs are in no verdict, so a claim that lists them shows their summary beside its verdict."""
        tasks = [t for t in claim.measured_by if t == scaling.ENTRY_ID] if claim.compares is not None else \
            claim.measured_by
        for task_id in tasks:
            if task_id not in evidence:
                if task_id in PERFORMANCE_TASKS:
                    evidence[task_id] = performance_evidence(ctx, task_id, links)
                elif task_id == deployment.ENTRY_ID:
                    evidence[task_id] = deployment.evidence(ctx, links)
                elif task_id == scaling.ENTRY_ID:
                    evidence[task_id] = scaling.evidence(ctx, links)
                elif task_id == sweeps.ENTRY_ID:
                    evidence[task_id] = sweeps.evidence(ctx, links)
                else:
                    evidence[task_id] = accuracy_evidence(ctx, task_id, links, summaries)
        return [evidence[task_id] for task_id in tasks]

    by_section: dict[str, list[Claim]] = defaultdict(list)
    for claim in ctx.kb.claims:
        by_section[claim.section].append(claim)
    anchors = {"top", "page-sources", "summary", "the-article"}
    sections, summary_rows = [], []
    for section in sorted(by_section, key=_section_order):
        claims = []
        anchor = section_anchor(section, anchors)
        for claim in sorted(by_section[section], key=lambda c: c.id):
            edit = kit.shows("claims", claim.id, claim.last_reviewed)
            verdict = measured_verdict(claim, verdicts.get(claim.id), links, task_titles, names)
            short = short_verdict(claim, verdicts.get(claim.id))
            claims.append({
                "anchor": kit.anchor_once(f"claim-{claim.id}"),
                "badge": badge(claim.status),
                "quote": text(claim.quote),
                "short": short if claim.measured_by else None,
                "evidence": paragraphs(claim.evidence, tail=kit.cite(claim.sources)),
                "reviewed": long_date(claim.last_reviewed),
                "edit": edit,
                "measurements": measurements(claim),
                "verdict": verdict,
                "evidence_links": evidence_links(claim, links, task_titles) if claim.measured_by else None,
                "not_measured": links.not_measured() if verdict and claim.compares is not None
                and not verdicts[claim.id].measured else None,
            })
            summary_rows.append({
                "status": ClaimStatus(claim.status).value, "badge": badge(claim.status), "section": section,
                "section_anchor": anchor, "claim": Markup('<a href="#claim-{}">{}</a>').format(claim.id,
                                                                                             text(claim.quote)),
                "verdict": short,
            })
        sections.append({"title": section, "anchor": anchor, "claims": claims})
    counts = Counter(claim.status for claim in ctx.kb.claims)
    body = render(
        "factcheck.html.j2",
        sections=sections,
        summary=summary_rows,
        total=len(ctx.kb.claims),
        statuses=[{"value": status.value, "label": STATUS_LABELS[status], "count": counts.get(status, 0),
                   "meaning": STATUS_MEANINGS[status]} for status in ClaimStatus],
        legend=Markup("; ").join(Markup("{} {}").format(badge(status), STATUS_MEANINGS[status])
                                  for status in ClaimStatus),
        article=render("_article.html.j2"),
        contribute=links.to("contribute a measurement", METHODOLOGY_PAGE, CONTRIBUTE_ANCHOR),
        glossary=links.to("glossary", "glossary.md"),
    )
    return [kit.page("Fact-check", body, section=SECTION, order=0, collapse_sources=True,
                     description="Every claim of the article with its verdict, evidence, sources and our "
                                 "measurements.")]
