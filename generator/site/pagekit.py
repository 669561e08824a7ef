"""What every knowledge-base page has: its sources, its last-reviewed date and its "edit this data" links.

Pages are rendered to HTML by the Jinja templates in generator/templates (autoescaped) and handed to the site engine
(MkDocs or Zensical) inside a ``.md`` file: the HTML sits in raw ``<div class="atlas-block">`` blocks, which
Markdown passes through untouched, and the headings between them are Markdown headings (inert text, an attr_list
id), so each engine builds the table of contents, the permalinks and the search sections itself, with no plugin or
hook of ours. The page is complete as written: the same file builds the same page under either engine.

A page writer makes one :class:`PageKit` per page and tells it which entries it shows (:meth:`PageKit.shows`) and
which sources it cites (:meth:`PageKit.cite`); the kit numbers the citations in order of first use, remembers the
data files and review dates, and renders the common footer. Writers therefore cannot forget the footer's parts:
``kit.page(...)`` always appends it.

Conventions other writers and the browser tests rely on:
- every "edit this data" link is ``<a class="atlas-edit" href=".../edit/main/data/<collection>/<id>.yaml">``;
- per-page source anchors are ``#source-<source id>``, on the sources page too;
- a claim shown on a page has the anchor ``#claim-<claim id>`` (once per page);
- the page's front matter has ``title``, ``description``, ``last_reviewed`` and ``edit_url`` (the file the
  page's edit button opens, or null for a page built from many files; :mod:`generator.site.render` writes the
  button into the page).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from generator.kb.models import Claim, ClaimStatus, KnowledgeBase, Source
from generator.site import raw_blocks
from generator.site.context import Page, SiteContext, front_matter
from generator.site.markup import external_link, relative_url, render, safe_id, safe_url, text

# The HTML of a page reaches Markdown as raw blocks (which Markdown passes through untouched) between Markdown
# headings (which every engine turns into the table of contents): the heading macro closes and reopens the block.
BLOCK_OPEN, BLOCK_CLOSE = raw_blocks.BLOCK_START, raw_blocks.BLOCK_END
_EMPTY_BLOCK = re.compile(re.escape(BLOCK_OPEN) + r"\s*" + re.escape(BLOCK_CLOSE))

SOURCES_PAGE = "sources.md"
CONTRIBUTING_PAGE = "contributing/index.md"

STATUS_LABELS: dict[ClaimStatus, str] = {
    ClaimStatus.supported: "Supported",
    ClaimStatus.disputed: "Disputed",
    ClaimStatus.contradicted: "Contradicted",
    ClaimStatus.outdated: "Outdated",
    ClaimStatus.unverified: "Unverified",
}
STATUS_MEANINGS: dict[ClaimStatus, str] = {
    ClaimStatus.supported: "the evidence agrees with the claim",
    ClaimStatus.disputed: "sources disagree, or the answer depends heavily on the set-up",
    ClaimStatus.contradicted: "the evidence says the opposite",
    ClaimStatus.outdated: "it was true once and no longer is",
    ClaimStatus.unverified: "no primary evidence either way yet",
}


def badge(status: ClaimStatus | str) -> Markup:
    """The claim-status badge, the same on every page (colours in overrides' stylesheet, text for everyone)."""
    status = ClaimStatus(status)
    return Markup(
        f'<span class="atlas-status atlas-status--{status.value}" title="{STATUS_MEANINGS[status]}">'
        f"{STATUS_LABELS[status]}</span>"
    )


def long_date(day: dt.date) -> Markup:
    return Markup(f'<time datetime="{day.isoformat()}">{day.day} {day:%B %Y}</time>')


def framework_names(kb: KnowledgeBase) -> dict[str, str]:
    return {framework.id: framework.name for framework in kb.frameworks}


class KbIndex:
    """Look-ups by id, built once per knowledge base (pages and the sources page share one)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.sources = {source.id: source for source in kb.sources}
        self.claims = {claim.id: claim for claim in kb.claims}
        # One framework order for the whole site: as the topics' at-a-glance lists them, then any others.
        names = framework_names(kb)
        first_seen = dict.fromkeys(fw for topic in kb.topics for fw in topic.at_a_glance if fw in names)
        self.frameworks = {fw: names[fw] for fw in [*first_seen, *names]}
        rank = {fw: position for position, fw in enumerate(self.frameworks)}
        self.ordered_frameworks = sorted(kb.frameworks, key=lambda framework: rank[framework.id])


_INDEXES: dict[int, KbIndex] = {}


def kb_index(kb: KnowledgeBase) -> KbIndex:
    key = id(kb)
    if key not in _INDEXES:
        _INDEXES.clear()  # one knowledge base per build
        _INDEXES[key] = KbIndex(kb)
    return _INDEXES[key]


@dataclass
class PageKit:
    ctx: SiteContext
    path: str  # the page's path in the docs folder, e.g. "topics/ease-of-use.md"
    _citations: dict[str, int] = field(default_factory=dict)
    _edit_files: dict[str, str] = field(default_factory=dict)  # data path -> edit URL, in order of first use
    _reviewed: list[dt.date] = field(default_factory=list)
    _anchors: set[str] = field(default_factory=set)
    _tab_sets: int = 0
    _primary_edit: str | None = None

    @property
    def index(self) -> KbIndex:
        return kb_index(self.ctx.kb)

    # -- bookkeeping --------------------------------------------------------------------------------------------

    def shows(self, collection: str, entry_id: str, last_reviewed: dt.date | None = None, *,
              primary: bool = False) -> Markup:
        """Record that the page shows this entry; returns its own "edit this data" link for use beside it.

        ``primary``: the page is *about* this entry (a topic page and its topic): the theme's edit button opens it.
        """
        path = self.ctx.origins.get((collection, entry_id))
        if last_reviewed is not None:
            self._reviewed.append(last_reviewed)
        if path is None:  # an entry built in memory (tests, inflated fixtures): nothing to edit
            return Markup("")
        url = self.ctx.edit_url(collection, entry_id)
        self._edit_files.setdefault(path, url)
        if primary:
            self._primary_edit = url
        return edit_link(url, "Edit this data", path)

    def reviewed_on(self, day: dt.date) -> None:
        """A review date for content that is not a knowledge-base entry (generated documentation)."""
        self._reviewed.append(day)

    def cite(self, source_ids: Iterable[str]) -> Markup:
        """Inline citation numbers linking to this page's sources list: ``[1, 3]``."""
        links = []
        for source_id in source_ids:
            number = self._citations.setdefault(source_id, len(self._citations) + 1)
            links.append(Markup(f'<a href="#source-{safe_id(source_id)}">{number}</a>'))
        if not links:
            return Markup("")
        return Markup('<sup class="atlas-cite">[') + Markup(", ").join(links) + Markup("]</sup>")

    def anchor_once(self, anchor: str) -> Markup:
        """An invisible anchor, emitted the first time only (a claim may be shown twice on one page)."""
        if anchor in self._anchors:
            return Markup("")
        self._anchors.add(anchor)
        return Markup(f'<span id="{safe_id(anchor)}"></span>')

    def link(self, label: object, to_page: str, anchor: str | None = None) -> Markup:
        """A link to another docs page (``topics/x.md``) or file, as the built site's relative URL."""
        return Markup(f'<a href="{relative_url(self.path, to_page, anchor)}">{text(label)}</a>')

    def url(self, to_page: str, anchor: str | None = None) -> str:
        return relative_url(self.path, to_page, anchor)

    def tabs(self, panels: list[tuple[str, Markup]]) -> Markup:
        """Material content tabs (pymdownx.tabbed's alternate style), linked across the page by label."""
        if not panels:
            return Markup("")
        self._tab_sets += 1
        number = self._tab_sets
        return Markup(render("_tabs.html.j2", set=number, panels=[
            {"id": f"__tabbed_{number}_{index}", "label": label, "content": content}
            for index, (label, content) in enumerate(panels, start=1)
        ]))

    # -- shared blocks ------------------------------------------------------------------------------------------

    def claims(self, claim_ids: Iterable[str]) -> Markup:
        """The claims an entry bears on: status badge, the claim as the article puts it, the evidence, sources."""
        items = []
        for claim_id in claim_ids:
            claim: Claim = self.index.claims[claim_id]
            self.shows("claims", claim.id, claim.last_reviewed)
            items.append({
                "anchor": self.anchor_once(f"claim-{claim.id}"),
                "badge": badge(claim.status),
                "quote": text(claim.quote),
                "section": claim.section,
                "evidence": text(claim.evidence),
                "cites": self.cite(claim.sources),
            })
        return Markup(render("_claims.html.j2", claims=items)) if items else Markup("")

    def framework(self, framework_id: str) -> str:
        return self.index.frameworks.get(framework_id, framework_id)

    # -- the page -----------------------------------------------------------------------------------------------

    @property
    def last_reviewed(self) -> dt.date | None:
        """The oldest review date of anything on the page: everything here was checked on or after it."""
        return min(self._reviewed, default=None)

    def footer(self, *, collapse_sources: bool = False) -> Markup:
        """The common end of the page; ``collapse_sources`` folds a long list of sources into a <details> that a
        citation link opens (the fact-check cites over a hundred)."""
        sources: list[Source] = [self.index.sources[source_id] for source_id in self._citations]
        return Markup(
            render(
                "_footer.html.j2",
                sources=[
                    {
                        "anchor": Markup(f"source-{safe_id(source.id)}"),
                        "link": external_link(source.url, source.title),
                        "publisher": source.publisher,
                        "published": source.published.isoformat() if source.published else None,
                        "accessed": source.accessed.isoformat(),
                        "all_sources": self.url(SOURCES_PAGE, f"source-{source.id}"),
                    }
                    for source in sources
                ],
                last_reviewed=long_date(self.last_reviewed) if self.last_reviewed else None,
                edit_links=[edit_link(url, path, path) for path, url in self._edit_files.items()],
                built=long_date(self.ctx.built_at.date()),
                contributing=self.url(CONTRIBUTING_PAGE),
                collapse_sources=collapse_sources,
            )
        )

    def page(self, title: str, body: str, *, section: str, order: int = 0, description: str = "",
             collapse_sources: bool = False) -> Page:
        """The finished page: front matter, the writer's body, the common footer."""
        edit_urls = list(self._edit_files.values())
        front = {
            "title": str(escape(title)),
            "description": str(escape(" ".join(description.split())[:200])) if description else None,
            "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
            "edit_url": self._primary_edit or (edit_urls[0] if len(edit_urls) == 1 else None),
            "atlas_html": True,
        }
        footer = self.footer(collapse_sources=collapse_sources)  # before the front matter is dumped: the footer may cite nothing new, but be safe
        html = _EMPTY_BLOCK.sub("", f"{BLOCK_OPEN}\n{body.rstrip()}\n\n{footer}\n{BLOCK_CLOSE}")
        markdown = f"{front_matter(front)}\n{html.strip()}\n"
        return Page(path=self.path, title=title, markdown=markdown, nav_section=section, nav_order=order)


def edit_link(url: str, label: str, data_path: str) -> Markup:
    """The one shape of an edit link (class ``atlas-edit``; the browser tests look for it)."""
    return Markup(f'<a class="atlas-edit" href="{safe_url(url)}" title="Edit {escape(data_path)} on GitHub">'
                  f"{escape(label)}</a>")


def status_legend() -> Markup:
    return Markup("; ").join(Markup("{} {}").format(badge(status), STATUS_MEANINGS[status]) for status in ClaimStatus)
