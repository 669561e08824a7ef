"""The pieces between writers and MkDocs: menu, relative URLs, docs folder, hand-written pages, HTML helpers."""

from __future__ import annotations

import pytest

from generator.site.context import Asset, Page
from generator.site.markup import code_block, paragraphs, relative_url
from generator.site.render import RenderError, handwritten_pages, navigation, write_docs


def page(path: str, section: str, order: int = 0, title: str | None = None) -> Page:
    return Page(path, title or path, "", section, order)


def test_navigation_orders_sections_and_pages_and_escapes_titles():
    nav = navigation([
        page("about.md", "About"),
        page("topics/b.md", "Compare", 2),
        page("topics/a.md", "Compare", 1, title="A & <b>"),
        page("bench.md", "Measured"),  # a section not in SECTION_ORDER goes before Sources
        page("sources.md", "Sources"),
        page("index.md", "Home"),
        page("hidden.md", ""),  # built and linked, not in the menu
    ])
    assert nav == [
        {"Home": "index.md"},
        {"Compare": [{"A &amp; &lt;b&gt;": "topics/a.md"}, {"topics/b.md": "topics/b.md"}]},
        {"Measured": "bench.md"},
        {"Sources": "sources.md"},
        {"About": "about.md"},
    ]


@pytest.mark.parametrize(
    ("here", "target", "anchor", "expected"),
    [
        ("topics/x.md", "sources.md", "source-a", "../../sources/#source-a"),
        ("index.md", "topics/x.md", None, "topics/x/"),
        ("topics/x.md", "index.md", None, "../../"),
        ("faq.md", "faq.md", "q", "#q"),
        ("api.md", "api/kb.json", None, "kb.json"),
        ("topics/index.md", "topics/x.md", None, "x/"),
        ("contributing/index.md", "sources.md", None, "../sources/"),
    ],
)
def test_relative_urls_match_mkdocs_directory_urls(here, target, anchor, expected):
    assert relative_url(here, target, anchor) == expected


def test_write_docs_rewrites_only_changes_and_prunes_stale_files(tmp_path):
    docs = tmp_path / "docs"
    write_docs([Page("a.md", "A", "one", "About"), Asset("x/y.bin", b"1"), Page("old.md", "Old", "o", "About")], docs)
    mtime = (docs / "x" / "y.bin").stat().st_mtime_ns
    pages = write_docs([Page("a.md", "A", "two", "About"), Asset("x/y.bin", b"1")], docs)
    assert [p.path for p in pages] == ["a.md"]
    assert (docs / "a.md").read_text() == "two"
    assert (docs / "x" / "y.bin").stat().st_mtime_ns == mtime  # unchanged: not rewritten (quiet live reload)
    assert not (docs / "old.md").exists()


def test_write_docs_refuses_duplicate_and_escaping_paths(tmp_path):
    with pytest.raises(RenderError, match="two writers produce"):
        write_docs([Page("a.md", "A", "", "X"), Page("a.md", "B", "", "X")], tmp_path)
    with pytest.raises(RenderError, match="relative to the docs folder"):
        write_docs([Page("../evil.md", "E", "", "X")], tmp_path)


def test_hand_written_pages_need_front_matter(tmp_path):
    (tmp_path / "good.md").write_text(
        "---\ntitle: Good\nnav_section: About\nnav_order: 3\nlast_reviewed: 2025-01-02\n---\n\n# Good\n",
        encoding="utf-8",
    )
    pages, _assets = handwritten_pages(tmp_path, "https://github.com/o/r/edit/main/")
    assert pages[0].title == "Good" and pages[0].nav_order == 3
    assert "2 January 2025" in pages[0].markdown and "edit/main/docs/good.md" in pages[0].markdown
    (tmp_path / "bad.md").write_text("# No front matter\n", encoding="utf-8")
    with pytest.raises(RenderError, match="docs/bad.md: front matter lacks title, nav_section, last_reviewed"):
        handwritten_pages(tmp_path, "https://github.com/o/r/edit/main/")


def test_paragraphs_and_code_are_escaped():
    assert paragraphs("a <b>\n\nc", tail="[1]") == "<p>a &lt;b&gt;</p>\n<p>c [1]</p>"
    html = code_block("x = '</code><script>'")
    assert "<script>" not in html and "&lt;/code&gt;&lt;script&gt;" in html.replace("<span class=\"s1\">", "").replace("</span>", "")
