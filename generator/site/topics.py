"""The comparison pages: one page per topic with all its aspects, and the topics index.

Aspects are sections of their topic page, never pages of their own: a reader compares within a topic, and MkDocs'
cost grows with the number of pages and the size of the navigation (a 100× knowledge base stays fast this way).
When there are more topics than fit a navigation menu, the topic pages leave the menu and the index lists them.
"""

from __future__ import annotations

from collections import defaultdict

from markupsafe import Markup

from generator.kb.models import Aspect, Category, KnowledgeBase, Topic
from generator.site.context import Page, SiteContext
from generator.site.markup import code_block, paragraphs, render, safe_id, text
from generator.site.pagekit import PageKit, long_date

SECTION = "Compare"
INDEX_PAGE = "topics/index.md"
NAV_TOPIC_LIMIT = 30  # more topics than this and the menu shows only the index
HIDDEN = ""  # nav_section of a page that is linked from other pages but not listed in the menu

CATEGORY_LABELS: dict[Category, str] = {
    Category.ease_of_use: "Ease of use",
    Category.performance: "Performance",
    Category.flexibility: "Flexibility",
    Category.community: "Community",
    Category.ecosystem: "Ecosystem",
    Category.deployment: "Deployment",
}


def ordered_topics(kb: KnowledgeBase) -> list[Topic]:
    return sorted(kb.topics, key=lambda topic: (topic.order, topic.id))


def topic_page_path(topic_id: str) -> str:
    return f"topics/{safe_id(topic_id)}.md"


def pages(ctx: SiteContext) -> list[Page]:
    topics = ordered_topics(ctx.kb)
    aspects: dict[str, list[Aspect]] = defaultdict(list)
    for aspect in ctx.kb.aspects:
        aspects[aspect.topic].append(aspect)
    in_menu = len(topics) <= NAV_TOPIC_LIMIT
    result = [index_page(ctx, topics)]
    for position, topic in enumerate(topics, start=1):
        result.append(topic_page(ctx, topic, aspects[topic.id], SECTION if in_menu else HIDDEN, position))
    return result


def index_page(ctx: SiteContext, topics: list[Topic]) -> Page:
    kit = PageKit(ctx, INDEX_PAGE)
    by_category: dict[Category, list[dict[str, object]]] = {}
    for topic in topics:
        kit.shows("topics", topic.id, topic.last_reviewed)
        by_category.setdefault(topic.category, []).append(
            {"link": kit.link(topic.title, topic_page_path(topic.id)), "summary": text(topic.summary)}
        )
    body = render(
        "topics_index.html.j2",
        home=kit.url("index.md", "at-a-glance"),
        categories=[{"label": CATEGORY_LABELS[category], "anchor": f"category-{category.value}", "topics": rows}
                    for category, rows in by_category.items()],
    )
    return kit.page("All topics", body, section=SECTION, order=0,
                    description="Every comparison topic of TensorFlow and PyTorch, grouped by category.")


def topic_page(ctx: SiteContext, topic: Topic, aspects: list[Aspect], section: str, position: int) -> Page:
    kit = PageKit(ctx, topic_page_path(topic.id))
    edit = kit.shows("topics", topic.id, topic.last_reviewed, primary=True)
    values = {
        "title": topic.title,
        "category": CATEGORY_LABELS[topic.category],
        "edit": edit,
        "summary": paragraphs(topic.summary, tail=kit.cite(topic.sources)),
        "glance": [
            {"framework": kit.framework(framework_id), "text": glance} for framework_id, glance in topic.at_a_glance.items()
        ],
        "aspects": [aspect_view(kit, aspect) for aspect in aspects],
    }
    return kit.page(topic.title, render("topic.html.j2", **values), section=section, order=10 + position,
                    description=topic.summary)


def _framework_order(kit: PageKit, keys: set[str]) -> list[str]:
    known = [framework_id for framework_id in kit.index.frameworks if framework_id in keys]
    return known + sorted(keys - set(known))


def aspect_view(kit: PageKit, aspect: Aspect) -> dict[str, object]:
    frameworks = _framework_order(kit, set(aspect.article_says) | set(aspect.per_framework))
    return {
        "anchor": safe_id(aspect.id),
        "title": aspect.title,
        "edit": kit.shows("aspects", aspect.id, aspect.last_reviewed),
        "rows": [
            {
                "framework": kit.framework(framework_id),
                "article": text(aspect.article_says.get(framework_id, "—")),
                "found": text(aspect.per_framework[framework_id].summary) if framework_id in aspect.per_framework
                else "—",
            }
            for framework_id in frameworks
        ],
        "verdict": paragraphs(aspect.verdict, lead=Markup("<strong>Our verdict:</strong> "),
                              tail=kit.cite(aspect.sources)),
        "claims": kit.claims(aspect.claims),
        "caveat": paragraphs(aspect.caveat) if aspect.caveat else None,
        "code_tabs": kit.tabs([
            (kit.framework(framework_id), code_block(view.code))
            for framework_id in frameworks
            if (view := aspect.per_framework.get(framework_id)) is not None and view.code
        ]),
        "last_reviewed": long_date(aspect.last_reviewed),
    }
