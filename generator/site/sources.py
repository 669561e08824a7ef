"""The sources page: every source, grouped by kind, each with what on the site cites it.

Also the one place that knows on which page (and under which anchor) each kind of entry is shown, so "cited by"
links cannot drift from the pages: :func:`locations`.
"""

from __future__ import annotations

from collections import defaultdict

from markupsafe import Markup

from generator.kb.models import KnowledgeBase, SourceKind
from generator.site.context import Page, SiteContext
from generator.site.markup import external_link, render, text
from generator.site.pagekit import SOURCES_PAGE, PageKit, long_date
from generator.site.topics import topic_page_path

KIND_LABELS: dict[SourceKind, str] = {
    SourceKind.official_docs: "Official documentation",
    SourceKind.release_notes: "Release notes",
    SourceKind.paper: "Papers",
    SourceKind.official_blog: "Official blogs",
    SourceKind.repository: "Repositories",
    SourceKind.survey: "Surveys",
    SourceKind.article: "Articles (secondary sources)",
}

Location = tuple[str, str | None]  # (docs page, anchor)


def locations(kb: KnowledgeBase) -> dict[tuple[str, str], tuple[str, Location | None]]:
    """(collection, id) -> (what a reader calls it, where it is shown or None when no page of ours shows it)."""
    found: dict[tuple[str, str], tuple[str, Location | None]] = {}
    for framework in kb.frameworks:
        found["frameworks", framework.id] = (framework.name, ("frameworks.md", f"framework-{framework.id}"))
    for topic in kb.topics:
        found["topics", topic.id] = (topic.title, (topic_page_path(topic.id), None))
    for aspect in kb.aspects:
        found["aspects", aspect.id] = (aspect.title, (topic_page_path(aspect.topic), aspect.id))
    for case in kb.use_cases:
        found["use-cases", case.id] = (case.title, ("use-cases.md", case.id))
    for trend in kb.trends:
        found["trends", trend.id] = (trend.title, ("future-trends.md", trend.id))
    for entry in kb.pros_cons:
        found["pros-cons", entry.id] = (f"Pros and cons of {entry.framework}", ("pros-and-cons.md", entry.id))
    for faq in kb.faq:
        found["faq", faq.id] = (faq.question, ("faq.md", faq.id))
    for task in kb.benchmarks:
        found["benchmarks", task.id] = (task.title, None)
    # A claim is shown (with its anchor) on the page of the first entry that refers to it.
    first_shown: dict[str, str] = {}
    referrers = [("aspects", kb.aspects), ("use-cases", kb.use_cases), ("trends", kb.trends), ("faq", kb.faq)]
    for collection, entries in referrers:
        for entry in entries:
            for claim_id in entry.claims:
                first_shown.setdefault(claim_id, found[collection, entry.id][1][0])  # type: ignore[index]
    for claim in kb.claims:
        page = first_shown.get(claim.id)
        found["claims", claim.id] = (claim.quote, (page, f"claim-{claim.id}") if page else None)
    return found


def citations(kb: KnowledgeBase) -> dict[str, list[tuple[str, str]]]:
    """source id -> [(collection, entry id)] of everything that cites it, in knowledge-base order."""
    cited_by: dict[str, list[tuple[str, str]]] = defaultdict(list)
    collections = [
        ("frameworks", kb.frameworks), ("topics", kb.topics), ("aspects", kb.aspects), ("claims", kb.claims),
        ("use-cases", kb.use_cases), ("benchmarks", kb.benchmarks), ("trends", kb.trends), ("faq", kb.faq),
    ]
    for collection, entries in collections:
        for entry in entries:
            for source_id in dict.fromkeys(entry.sources):
                cited_by[source_id].append((collection, entry.id))
    for entry in kb.pros_cons:
        for source_id in dict.fromkeys(s for item in [*entry.pros, *entry.cons] for s in item.sources):
            cited_by[source_id].append(("pros-cons", entry.id))
    return cited_by


COLLECTION_LABELS = {
    "frameworks": "framework", "topics": "topic", "aspects": "comparison", "claims": "claim",
    "use-cases": "use case", "benchmarks": "benchmark", "trends": "trend", "faq": "FAQ", "pros-cons": "pros and cons",
}


def pages(ctx: SiteContext) -> list[Page]:
    kit = PageKit(ctx, SOURCES_PAGE)
    where = locations(ctx.kb)
    cited_by = citations(ctx.kb)

    def referrer(key: tuple[str, str]) -> Markup:
        name, location = where[key]
        label = Markup(f"{COLLECTION_LABELS[key[0]]}: ")
        short = name if len(name) <= 90 else name[:87].rstrip() + "…"
        return label + (kit.link(short, *location) if location else text(short))

    groups = []
    for kind in SourceKind:
        sources = [source for source in ctx.kb.sources if source.kind is kind]
        if not sources:
            continue
        items = []
        for source in sources:
            kit.shows("sources", source.id, source.accessed)
            items.append({
                "anchor": f"source-{source.id}",
                "link": external_link(source.url, source.title),
                "publisher": source.publisher,
                "published": source.published.isoformat() if source.published else None,
                "accessed": long_date(source.accessed),
                "note": source.note,
                "cited_by": Markup("; ").join(referrer(key) for key in cited_by.get(source.id, [])),
            })
        groups.append({"anchor": f"kind-{kind.value}", "label": KIND_LABELS[kind], "sources": items})
    return [kit.page("Sources", render("sources.html.j2", groups=groups, total=len(ctx.kb.sources)),
                     section="Sources", order=0,
                     description="Every source the site cites, grouped by kind, with what cites it.")]
