"""Hostile contributor text (script, event handlers, javascript:/data: links, raw HTML, Markdown and template
syntax) comes out of the build as visible text, with no live element anywhere on the page."""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

import pytest

from generator.site.markup import inert
from tests.site.fixture_kb import ATTR_LIST, MD_LINK, SCRIPT, TEMPLATE

HOSTILE_PAGES = ["", "topics/", "topics/hostile-topic/", "faq/", "sources/", "topics/ease-of-use/"]


class _Live(HTMLParser):
    """Collects what would be live in a browser inside the page content."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "img", "svg", "object", "embed", "form", "style", "link", "meta"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and value:
                scheme = value.strip().lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.found.append(f"<{tag} {name}={value[:30]}>")


@pytest.mark.parametrize("page", HOSTILE_PAGES)
def test_hostile_text_has_no_live_element(built, page):
    parser = _Live()
    parser.feed(built.article(page))
    assert parser.found == []


def test_hostile_text_is_shown_as_typed(built):
    faq = built.article("faq/")
    assert htmllib.escape(SCRIPT, quote=False) in faq.replace("&#39;", "'").replace("&#34;", '"')
    text = htmllib.unescape(faq)
    assert TEMPLATE in text  # not evaluated: no "49", no "templated" alone
    assert "49" not in text.replace("2026", "")
    assert MD_LINK in text and ATTR_LIST in text  # Markdown never interpreted
    topic = htmllib.unescape(re.sub(r"<[^>]+>", "", built.article("topics/hostile-topic/")))
    assert "print('```')" in topic and "</code></pre>" + SCRIPT in topic  # code cannot break out of its block


def test_hostile_titles_are_escaped_in_the_theme_too(built):
    """Titles reach the theme's <title>, menu and table of contents, which MkDocs prints without escaping."""
    page = built.html("topics/hostile-topic/")
    head = page[: page.index("<body")]
    assert "<title>Hostile &lt;script&gt;window.__pwned = 1&lt;/script&gt; - Framework Atlas</title>" in head
    assert "window.__pwned" not in page.replace("&lt;script&gt;window.__pwned", "")
    home = built.html("")
    assert "<script>window.__pwned" not in home and "<img src=x" not in home


def test_search_index_keeps_hostile_text_escaped(built):
    index = (built.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Hostile" in index
    assert "<script>window" not in index and "<img src=x" not in index


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("[a](javascript:b)", "&#91;a&#93;(javascript&#58;b)"),
        ("# heading", "&#35; heading"),
        ("1. item", "1&#46; item"),
        ("- item\n\n    code", "&#45; item code"),
        ("{{ x }} {% y %}", "&#123;&#123; x &#125;&#125; &#123;% y %&#125;"),
        ("a | b *c* _d_ `e`", "a &#124; b &#42;c&#42; &#95;d&#95; &#96;e&#96;"),
    ],
)
def test_inert_neutralises_markdown_for_markdown_writers(text, expected):
    assert inert(text) == expected
