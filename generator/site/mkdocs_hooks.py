"""MkDocs hooks (mkdocs.yml ``hooks:``): pre-rendered HTML pages, and edit buttons that open the right file.

Knowledge-base pages are rendered to HTML by our Jinja templates (autoescaped). They reach MkDocs as ``.md`` files
whose front matter says ``atlas_html: true``; for those, Markdown is skipped: the body *is* the page's HTML, and
the table of contents and anchor list are read from its headings and ids. This keeps contributors' text away from
any Markdown parser and makes a large knowledge base build several times faster (Markdown was most of the time).

Search: Material's search plugin would parse every page's HTML with Python's HTMLParser, the slowest step of a
large build. Our pages' HTML has a known shape, so their search entries (one per h1/h2/h3 section, text escaped
exactly as the plugin escapes it) are cut from it directly and the plugin is told to skip them.

MkDocs assumes every page is a file in docs/. A generated page names its data file in its front matter
(``edit_url``: a URL, or null for a page built from many files); a generated page that names none gets no edit
button rather than one pointing at a docs/ file that does not exist.
"""

from __future__ import annotations

import html
import re

from mkdocs.structure.toc import get_toc

_HEADING = re.compile(r'<h([1-3]) id="([^"]+)">(.*?)<a class="headerlink"', re.DOTALL)
_ID = re.compile(r'\sid="([^"]+)"')


def on_page_markdown(markdown, page, config, files):
    if "edit_url" in page.meta:
        page.edit_url = page.meta["edit_url"] or None
    elif page.file.src_uri not in config.extra.get("atlas_handwritten", ()):
        page.edit_url = None
    if page.meta.get("atlas_html"):
        page.render = lambda config, files: _use_html(page, markdown)
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True, "atlas": True}
    return markdown


def on_page_context(context, page, config, nav):
    search = config.plugins.get("material/search")
    meta_search = page.meta.get("search") or {}
    if meta_search.get("atlas") and search is not None and search.config.enabled:
        search.search_index.entries.extend(search_entries(page.url, page.content or ""))
    return context


_SECTION = re.compile(r'<h([1-3]) id="([^"]+)">(.*?)<a class="headerlink"[^>]*>[^<]*</a></h\1>', re.DOTALL)
_NOT_SEARCHED = re.compile(
    r'<div class="atlas-pagefacts">.*?</div>|<sup class="atlas-cite">.*?</sup>|<p class="atlas-entry-meta">.*?</p>',
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]+>")


def search_entries(url: str, content: str) -> list[dict[str, str]]:
    """One search entry per section (h1 = the page itself), as Material's plugin makes them: escaped text."""
    entries = []
    matches = list(_SECTION.finditer(content))
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(content)
        body = _NOT_SEARCHED.sub(" ", content[match.end() : end])
        text = _as_material_escapes(" ".join(_TAG.sub(" ", body).split()))
        title = _as_material_escapes(" ".join(_TAG.sub("", match.group(3)).split()))
        location = url if match.group(1) == "1" else f"{url}#{match.group(2)}"
        entries.append({"location": location, "title": title, "text": text})
    return entries


def _as_material_escapes(text: str) -> str:
    """Material's parser escapes <, > and & but not quotes; match it so search matches words like "it's"."""
    return html.escape(html.unescape(text), quote=False)


def _use_html(page, content: str) -> None:
    """What ``Page.render`` would set, taken from our HTML instead of a Markdown conversion."""
    page.content = content
    page.toc = get_toc(_toc_tokens(content))
    page.present_anchor_ids = {html.unescape(anchor) for anchor in _ID.findall(content)}
    page.links_to_anchors = {}


def _toc_tokens(content: str) -> list[dict]:
    """Nested toc tokens (h1 > h2 > h3) as Python-Markdown's toc extension would give them."""
    root: list[dict] = []
    stack: list[dict] = []
    for level, anchor, name in _HEADING.findall(content):
        token = {"level": int(level), "id": html.unescape(anchor), "name": name.strip(), "children": []}
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root
