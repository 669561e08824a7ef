"""Markdown results pages: links MkDocs checks, inert values, Jinja templates and the shared page footer.

The results pages are Markdown (tables, admonitions, headings with anchors) so MkDocs checks every link and anchor
in strict mode. Every value a template prints goes through ``inert`` unless it is Markup built here, so
contributors' text (results and knowledge base) can never become Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from generator.site import glossary
from generator.site.context import Page, SiteContext, front_matter
from generator.site.markup import inert, safe_url
from generator.site.pagekit import kb_index

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CONTRIBUTING_DOCS = ("contributing/index.md", "contributing.md")


def md_target(from_page: str, to: str, anchor: str | None = None) -> str:
    """A Markdown link target between docs files (``benchmarks/x.md`` -> ``runs.md#id``); MkDocs checks it in
    strict mode and rewrites it for the built URLs."""
    target = "" if to == from_page else posixpath.relpath(to, posixpath.dirname(from_page) or ".")
    return target + (f"#{anchor}" if anchor else "")


def md_link(label: object, from_page: str, to: str, anchor: str | None = None) -> Markup:
    return Markup(f"[{inert(label)}]({md_target(from_page, to, anchor)})")


def md_paragraphs(text: object) -> Markup:
    """Inert Markdown paragraphs (blank-line separated in the source)."""
    parts = [inert(part) for part in re.split(r"\n\s*\n", str(text).strip()) if part.strip()]
    return Markup("\n\n").join(parts)


def _inert_unless_markup(value: object) -> object:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else inert(value)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,  # Markdown, not HTML: every value is made inert by finalize instead
        finalize=_inert_unless_markup,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def md_render(template: str, **values: object) -> str:
    return _environment().get_template(template).render(**values)


def contributing_page(ctx: SiteContext) -> str | None:
    """The contributing guide's docs path, when the docs folder has one (linked, never guessed)."""
    docs = Path(ctx.repo_root) / "docs"
    return next((path for path in CONTRIBUTING_DOCS if (docs / path).is_file()), None)


@dataclass
class MarkdownPage:
    """One results page being written: its links, edit links, citations and review dates, then the page."""

    ctx: SiteContext
    path: str
    reviewed: list[dt.date] = field(default_factory=list)
    edits: dict[str, str] = field(default_factory=dict)  # data file -> edit URL
    citations: dict[str, int] = field(default_factory=dict)  # source id -> number on this page

    def link(self, label: object, to: str, anchor: str | None = None) -> Markup:
        return md_link(label, self.path, to, anchor)

    def shows(self, collection: str, entry_id: str, last_reviewed: dt.date | None = None) -> Markup:
        """Record a knowledge-base entry shown here; returns its "edit this data" link (class ``atlas-edit``)."""
        if last_reviewed is not None:
            self.reviewed.append(last_reviewed)
        data_path = self.ctx.origins.get((collection, entry_id))
        if data_path is None:
            return Markup("")
        url = self.ctx.edit_url(collection, entry_id)
        self.edits.setdefault(data_path, url)
        return Markup('<a class="atlas-edit" href="{}" title="Edit {} on GitHub">Edit this data</a>').format(
            url, data_path)

    def cite(self, source_ids: list[str]) -> Markup:
        """Citation numbers linking to this page's source list: ``[1, 3]``."""
        known = kb_index(self.ctx.kb).sources
        links = []
        for source_id in source_ids:
            if source_id in known:
                number = self.citations.setdefault(source_id, len(self.citations) + 1)
                links.append(Markup('<a href="#source-{}">{}</a>').format(source_id, number))
        if not links:
            return Markup("")
        return Markup('<sup class="atlas-cite">[') + Markup(", ").join(links) + Markup("]</sup>")

    def footer(self) -> Markup:
        sources = kb_index(self.ctx.kb).sources
        lines = []
        if self.citations:
            lines += ["## Sources {: #page-sources }", ""]
            for number, source_id in enumerate(self.citations, start=1):
                source = sources[source_id]
                lines.append(Markup('{}. <span id="source-{}"></span>{}, {}. Accessed {}.').format(
                    number, source_id, Markup('<a href="{}">{}</a>').format(Markup(safe_url(source.url)),
                                                                           inert(source.title)),
                    inert(source.publisher),
                    source.accessed.isoformat()))
            lines.append("")
        facts = []
        if self.reviewed:
            day = min(self.reviewed)
            facts.append(f'**Last reviewed:** <time datetime="{day.isoformat()}">{day.day} {day:%B %Y}</time>')
        if self.edits:
            facts.append("**Edit this data:** " + " · ".join(
                str(Markup('<a class="atlas-edit" href="{}">{}</a>').format(url, path))
                for path, url in self.edits.items()))
        built = self.ctx.built_at.date()
        generated = f'Page generated <time datetime="{built.isoformat()}">{built.day} {built:%B %Y}</time>.'
        contributing = contributing_page(self.ctx)
        if contributing:
            generated += f" [How to contribute]({md_target(self.path, contributing)})."
        facts.append(generated)
        lines += ['<div class="atlas-pagefacts" markdown>', "", *(f"{fact}\n" for fact in facts), "</div>"]
        return Markup("\n".join(str(line) for line in lines))

    def page(self, title: str, body: str, *, section: str, order: int, description: str) -> Page:
        edit_urls = list(self.edits.values())
        front = {
            "title": title,
            "description": " ".join(description.split())[:200],
            "last_reviewed": min(self.reviewed).isoformat() if self.reviewed else None,
            "edit_url": edit_urls[0] if len(edit_urls) == 1 else None,
        }
        # The glossary's terms as abbreviations: every use of a term on the page gets its definition as a tooltip.
        markdown = f"{front_matter(front)}\n{body.rstrip()}\n\n{self.footer()}\n\n{glossary.abbreviations()}\n"
        return Page(path=self.path, title=title, markdown=markdown, nav_section=section, nav_order=order)
