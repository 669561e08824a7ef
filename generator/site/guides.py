"""The reader's guides: which framework to choose, pros and cons, future trends, the FAQ and the frameworks.

One small function per page; each turns validated entries into template values (all contributor text stays plain
text: the templates make it inert) and records what it shows in the page's kit.
"""

from __future__ import annotations

from markupsafe import Markup

from generator.kb.models import ProCon
from generator.site.context import Page, SiteContext
from generator.site.markup import external_link, paragraphs, render, safe_id, text
from generator.site.pagekit import PageKit, badge, long_date, status_legend

SECTION = "Choose"


def pages(ctx: SiteContext) -> list[Page]:
    return [frameworks_page(ctx), use_cases_page(ctx), pros_cons_page(ctx), trends_page(ctx), faq_page(ctx)]


def frameworks_page(ctx: SiteContext) -> Page:
    kit = PageKit(ctx, "frameworks.md")
    frameworks = []
    for framework in kit.index.ordered_frameworks:
        frameworks.append({
            "anchor": f"framework-{safe_id(framework.id)}",
            "name": framework.name,
            "summary": paragraphs(framework.summary, tail=kit.cite(framework.sources)),
            "developer": framework.developer,
            "license": framework.license,
            "first_release": framework.first_release.isoformat() if framework.first_release else "not stated",
            "homepage": external_link(framework.homepage, framework.homepage),
            "repository": external_link(framework.repository, framework.repository) if framework.repository else None,
            "article_says": paragraphs(framework.article_says) if framework.article_says else None,
            "last_reviewed": long_date(framework.last_reviewed),
            "edit": kit.shows("frameworks", framework.id, framework.last_reviewed),
        })
    return kit.page("The frameworks", render("frameworks.html.j2", frameworks=frameworks), section="Compare", order=1,
                    description="What TensorFlow, PyTorch and the other frameworks covered are, who makes them, "
                    "and under which license.")


def use_cases_page(ctx: SiteContext) -> Page:
    kit = PageKit(ctx, "use-cases.md")
    cases = []
    for case in ctx.kb.use_cases:
        recommendation = " or ".join(kit.framework(framework_id) for framework_id in case.recommendation)
        if len(case.recommendation) > 1:
            recommendation = "either " + recommendation
        cases.append({
            "anchor": safe_id(case.id),
            "link": kit.link(case.title, kit.path, case.id),
            "title": case.title,
            "recommendation": recommendation,
            "article": case.article_recommends,
            "rationale": paragraphs(case.rationale, tail=kit.cite(case.sources)),
            "tips": [{"framework": kit.framework(fw), "text": text(tip)} for fw, tip in case.tips.items()],
            "either": len(case.recommendation) > 1,
            "claims": kit.claims(case.claims),
            "last_reviewed": long_date(case.last_reviewed),
            "edit": kit.shows("use-cases", case.id, case.last_reviewed),
        })
    return kit.page("Which should I choose?", render("use_cases.html.j2", cases=cases), section=SECTION, order=10,
                    description="Which deep-learning framework fits your use case, and why: our recommendation "
                    "next to the article's.")


def _pro_con(kit: PageKit, item: ProCon) -> Markup:
    origin = "from the article" if item.from_article else "added by us"
    parts = [badge(item.status), Markup(" {text} <small>({origin})</small>").format(text=text(item.text), origin=origin)]
    if item.note:
        parts.append(Markup(" — ") + text(item.note))
    parts.append(Markup(" ") + kit.cite(item.sources))
    return Markup("").join(parts)


def pros_cons_page(ctx: SiteContext) -> Page:
    kit = PageKit(ctx, "pros-and-cons.md")
    frameworks = []
    for entry in ctx.kb.pros_cons:
        frameworks.append({
            "anchor": safe_id(entry.id),
            "name": kit.framework(entry.framework),
            "pros": [_pro_con(kit, item) for item in entry.pros],
            "cons": [_pro_con(kit, item) for item in entry.cons],
            "last_reviewed": long_date(entry.last_reviewed),
            "edit": kit.shows("pros-cons", entry.id, entry.last_reviewed),
        })
    return kit.page("Pros and cons", render("pros_cons.html.j2", frameworks=frameworks, legend=status_legend()),
                    section=SECTION, order=20,
                    description="The strengths and weaknesses of each framework, every point checked.")


def trends_page(ctx: SiteContext) -> Page:
    kit = PageKit(ctx, "future-trends.md")
    trends = []
    for trend in ctx.kb.trends:
        trends.append({
            "anchor": safe_id(trend.id),
            "title": trend.title,
            "badge": badge(trend.status),
            "origin": "The article's prediction." if trend.from_article else "Not in the article.",
            "summary": paragraphs(trend.summary, tail=kit.cite(trend.sources)),
            "claims": kit.claims(trend.claims),
            "last_reviewed": long_date(trend.last_reviewed),
            "edit": kit.shows("trends", trend.id, trend.last_reviewed),
        })
    return kit.page("Future trends", render("trends.html.j2", trends=trends), section=SECTION, order=30,
                    description="Where TensorFlow and PyTorch are heading, predictions checked against events.")


def faq_page(ctx: SiteContext) -> Page:
    kit = PageKit(ctx, "faq.md")
    entries = []
    for entry in sorted(ctx.kb.faq, key=lambda faq: (faq.order, faq.id)):
        entries.append({
            "anchor": safe_id(entry.id),
            "question": entry.question,
            "answer": paragraphs(entry.answer, tail=kit.cite(entry.sources)),
            "article_answer": paragraphs(entry.article_answer) if entry.article_answer else None,
            "claims": kit.claims(entry.claims),
            "last_reviewed": long_date(entry.last_reviewed),
            "edit": kit.shows("faq", entry.id, entry.last_reviewed),
        })
    return kit.page("FAQ", render("faq.html.j2", entries=entries), section=SECTION, order=40,
                    description="Frequently asked questions about TensorFlow and PyTorch, answered with sources.")
