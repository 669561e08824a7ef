"""What a reader gets from a built page besides its text: table-of-contents links, edit links, search entries.

Read from the built HTML and the engine's search index, so two engines' sites can be compared page by page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

_TAG = re.compile(r"<[^>]+>")


@dataclass
class PageFacts:
    toc: list[str] = field(default_factory=list)  # hrefs in the "On this page" sidebar, in order
    edits: list[str] = field(default_factory=list)  # hrefs of the edit button and the "edit this data" links
    search: set[tuple[str, str, str]] = field(default_factory=set)  # (location, title, text without tags)


class _Collector(HTMLParser):
    def __init__(self, facts: PageFacts) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = facts
        self.toc_depth = 0  # open <nav> elements since the table of contents' own <nav>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "nav":
            if self.toc_depth or "md-nav--secondary" in classes:
                self.toc_depth += 1
        if tag != "a":
            return
        href = attributes.get("href") or ""
        if self.toc_depth and "md-nav__link" in classes:
            self.facts.toc.append(href)
        if attributes.get("rel") == "edit" or "atlas-edit" in classes:
            self.facts.edits.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.toc_depth:
            self.toc_depth -= 1


def _search_entries(site: Path) -> list[dict[str, str]]:
    """MkDocs (Material's plugin) writes search/search_index.json; Zensical writes search.json."""
    mkdocs_index = site / "search" / "search_index.json"
    if mkdocs_index.is_file():
        return json.loads(mkdocs_index.read_text(encoding="utf-8"))["docs"]
    return json.loads((site / "search.json").read_text(encoding="utf-8"))["items"]


def site_facts(site: Path) -> dict[str, PageFacts]:
    """Facts of every page, by URL path ('' for the home page, 'topics/ease-of-use/')."""
    pages: dict[str, PageFacts] = {}
    for file in sorted(site.rglob("index.html")):
        url = file.parent.relative_to(site).as_posix()
        url = "" if url == "." else url + "/"
        facts = pages[url] = PageFacts()
        _Collector(facts).feed(file.read_text(encoding="utf-8"))
    for entry in _search_entries(site):
        page = entry["location"].split("#", 1)[0]
        text = " ".join(_TAG.sub(" ", entry["text"]).split())
        if page in pages:
            pages[page].search.add((entry["location"], " ".join(entry["title"].split()), text))
    return pages
