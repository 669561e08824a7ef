"""Making contributors' text safe on the page, in HTML (our pages) and in Markdown (for writers that emit it).

Contributors' YAML is untrusted input. The knowledge-base pages are rendered straight to HTML by Jinja with
autoescaping on: every value is HTML-escaped unless it is :class:`~markupsafe.Markup` built by the small helpers
here, so ``<script>``, event attributes, ``javascript:`` links and raw HTML all come out as visible text. The HTML
reaches Markdown only inside raw ``<div class="atlas-block">`` blocks, which Markdown passes through untouched
(see :mod:`generator.site.pagekit`), so Markdown syntax in contributors' text (``[x](javascript:...)``,
``{: onclick=...}``) is never interpreted either; headings, the one part Markdown reads, go through :func:`inert`. Contributor text is never rendered as
a template, so ``{{ }}`` and ``{% %}`` in it are plain characters.

Writers that do emit Markdown containing contributor text (benchmark and fact-check pages) use :func:`inert`: HTML
escaping alone is not enough there, because Markdown has its own links, attributes and blocks.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Characters that are Markdown (or extension) syntax anywhere in a line. '&', '<', '>', '"' and "'" are handled by
# markupsafe first. '(' and ')' only matter after ']', which is escaped; '#' and list markers only at line start.
_INLINE_SYNTAX = "\\`*_[]{}|~^=:$"
_ENTITY = {ord(ch): f"&#{ord(ch)};" for ch in _INLINE_SYNTAX}
_BLOCK_START = re.compile(r"^(?:[#+\-]|\d+[.)])")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SAFE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SPACE = re.compile(r"\s")


def inert(text: object) -> Markup:
    """One line of Markdown that displays exactly ``text``: no markup, links, attributes or HTML of its own.

    HTML specials are escaped by markupsafe; every Markdown syntax character becomes a numeric character reference
    (which Markdown keeps opaque and the browser shows as the character); whitespace collapses to single spaces
    so the text cannot open a block (code, list, heading, table row), and a block marker at its start is escaped.
    """
    flat = " ".join(str(text).split())
    escaped = str(escape(flat)).translate(_ENTITY)
    match = _BLOCK_START.match(escaped)
    if match:
        marker = match.group(0)
        escaped = marker[:-1] + f"&#{ord(marker[-1])};" + escaped[len(marker) :]
    return Markup(escaped)


_NOTHING = Markup("")


def paragraphs(text: object, *, lead: Markup = _NOTHING, tail: Markup = _NOTHING) -> Markup:
    """Plain text as HTML paragraphs (blank lines separate them), escaped; ``lead`` opens the first paragraph and
    ``tail`` (e.g. citation numbers) closes the last."""
    parts: list[Markup] = [escape(" ".join(p.split())) for p in _PARAGRAPH_BREAK.split(str(text).strip()) if p.strip()]
    parts = parts or [Markup("")]
    parts[0] = lead + parts[0]
    parts[-1] = parts[-1] + (Markup(" ") + tail if tail else Markup(""))
    return Markup("\n".join(f"<p>{part}</p>" for part in parts))


def text(value: object) -> Markup:
    """Plain text on one line (for table cells and list items), escaped."""
    return escape(" ".join(str(value).split()))


_FORMATTER = HtmlFormatter(nowrap=True)
_LEXERS: dict[str, object] = {}


def code_block(code: str, language: str = "python") -> Markup:
    """Highlighted code in the HTML shape Material styles (and gives a copy button). Pygments escapes the code."""
    lexer = _LEXERS.get(language)
    if lexer is None:  # building a lexer costs ~0.25 ms: once per language, not once per block
        lexer = _LEXERS[language] = get_lexer_by_name(language)
    highlighted = highlight(code, lexer, _FORMATTER)
    return Markup(
        f'<div class="language-{language} highlight"><pre><span></span><code>{highlighted}</code></pre></div>'
    )


def safe_id(value: str) -> str:
    """An id for an HTML anchor. KB ids are already kebab-case; anything else is a programming error."""
    if not _SAFE_ID.match(value):
        raise ValueError(f"not a safe anchor id: {value!r}")
    return value


def safe_url(url: str) -> str:
    """An http(s) URL, attribute-escaped. The schema refuses other schemes; this is the belt to its braces."""
    stripped = url.strip()
    if not stripped.startswith(("https://", "http://")) or _SPACE.search(stripped):
        raise ValueError(f"refusing to link a non-http(s) URL: {url!r}")
    return str(escape(stripped))


def external_link(url: str, label: object) -> Markup:
    """An ``<a>`` to another site: the URL checked and attribute-escaped, the label escaped."""
    return Markup(f'<a href="{safe_url(url)}">{text(label)}</a>')


def page_url(docs_path: str) -> str:
    """The URL MkDocs gives a docs page (``use_directory_urls``): ``topics/x.md`` -> ``topics/x/``."""
    stem = docs_path.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


@lru_cache(maxsize=65536)
def relative_url(from_page: str, to_path: str, anchor: str | None = None) -> str:
    """A link from one docs page to another page (``.md``) or file, relative as MkDocs writes them."""
    here = page_url(from_page)
    target = page_url(to_path) if to_path.endswith(".md") else to_path
    if target == here and anchor:
        return f"#{safe_id(anchor)}"
    # A page's URL is a folder ("topics/x/"): the browser resolves links from inside it.
    relative = _relpath(target.rstrip("/"), here.rstrip("/"))
    if target.endswith("/") or not target:
        relative = "./" if relative == "." else relative + "/"
    return relative + (f"#{safe_id(anchor)}" if anchor else "")


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for site-relative paths, without its file-system calls (this runs 10⁵ times)."""
    parts = [part for part in path.split("/") if part]
    base = [part for part in start.split("/") if part]
    common = 0
    while common < min(len(parts), len(base)) and parts[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:]) or "."


def _finalize(value: object) -> object:
    return "" if value is None else value


def heading_text(value: object) -> Markup:
    """A heading's text as inert Markdown: headings are the one part of an HTML page that Markdown reads (so every
    engine builds the table of contents from them); an already escaped label is unescaped first, not doubled."""
    return inert(value.unescape() if isinstance(value, Markup) else value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every value is HTML-escaped unless it is Markup built by the helpers above
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["heading_text"] = heading_text
    return env


def render(template: str, **values: object) -> str:
    return environment().get_template(template).render(**values)
