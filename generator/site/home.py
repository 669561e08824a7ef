"""The home page: the measured answer first, then what the site is, how it works, and every topic at a glance."""

from __future__ import annotations

from markupsafe import Markup

from generator.site.benchmarks import verdict_block
from generator.site.context import Page, SiteContext
from generator.site.markup import render, text
from generator.site.pagekit import PageKit, status_legend
from generator.site.topics import ordered_topics, topic_page_path

PATH = "index.md"
MAX_COLUMNS = 6


def pages(ctx: SiteContext) -> list[Page]:
    kit = PageKit(ctx, PATH)
    topics = ordered_topics(ctx.kb)
    # Columns: every framework some topic has a one-line verdict for, in the knowledge base's order.
    named = {framework_id for topic in topics for framework_id in topic.at_a_glance}
    columns = [framework_id for framework_id in kit.index.frameworks if framework_id in named]

    glance = []
    wide = len(columns) <= MAX_COLUMNS  # a matrix reads best; past a few frameworks, one row per verdict
    for topic in topics:
        kit.shows("topics", topic.id, topic.last_reviewed)
        name = kit.link(topic.title, topic_page_path(topic.id)) + Markup(" ") + kit.cite(topic.sources)
        if wide:
            glance.append([name] + [text(topic.at_a_glance.get(fw, "—")) for fw in columns])
        else:
            glance.extend([name, kit.framework(fw), text(line)] for fw, line in topic.at_a_glance.items())
    header = [kit.framework(fw) for fw in columns] if wide else ["Framework", "At a glance"]

    frameworks = []
    for framework in kit.index.ordered_frameworks:
        kit.shows("frameworks", framework.id, framework.last_reviewed)
        frameworks.append({
            "link": kit.link(framework.name, "frameworks.md", f"framework-{framework.id}"),
            "summary": text(_first_sentence(framework.summary)),
        })

    names = list(dict.fromkeys(kit.index.frameworks.values()))
    body = render(
        "home.html.j2",
        framework_list=", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names),
        legend=status_legend(),
        verdict=verdict_block(ctx, PATH, figures=False),
        glance_header=header,
        glance=glance,
        frameworks=frameworks,
        links={
            "choose": kit.link("Which should I choose?", "use-cases.md"),
            "pros_cons": kit.link("Pros and cons", "pros-and-cons.md"),
            "faq": kit.link("Frequently asked questions", "faq.md"),
            "trends": kit.link("future trends", "future-trends.md"),
            "sources": kit.link("Sources", "sources.md"),
            "api": kit.link("The JSON API", "api.md"),
            "article": kit.link("a comparison article", "fact-check.md", "the-article"),
        },
    )
    return [kit.page("Home", body, section="Home", order=0,
                     description="TensorFlow and PyTorch compared: every claim measured or cited, with sources.")]


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end < 0 else flat[: end + 1]
