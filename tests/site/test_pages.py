"""Each page as a reader sees it: titles, tables, verdicts, badges, review dates, sources and edit links."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from tests.site.fixture_kb import OLDER

EDIT = "https://github.com/framework-atlas/framework-atlas/edit/main/"
KB_PAGES = ["", "topics/", "topics/ease-of-use/", "topics/hostile-topic/", "frameworks/", "use-cases/",
            "pros-and-cons/", "future-trends/", "faq/", "sources/", "api/"]


_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|tr|td|th|h\d|div|table|br|summary|details)\b[^>]*>")


def visible(fragment: str) -> str:
    """The text a reader sees: tags dropped (block tags as spaces), entities decoded, whitespace collapsed."""
    fragment = re.sub(r'<a class="headerlink"[^>]*>[^<]*</a>', "", fragment)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", _BLOCK_TAG.sub(" ", fragment))).split())


def edit_links(fragment: str) -> list[str]:
    return re.findall(r'<a class="atlas-edit" href="([^"]+)"', fragment)


def long(day) -> str:
    return f"{day.day} {day:%B %Y}"


def test_home_has_the_at_a_glance_table(built):
    article = built.article("")
    text = visible(article)
    assert "TensorFlow and PyTorch, measured and sourced" in text
    assert "How we work" in text and "measured" in text and "cited" in text
    table = article[article.index('id="at-a-glance"') :]
    table = table[: table.index("</table>")]
    assert re.search(r"<th>Topic</th><th>TensorFlow</th><th>PyTorch</th>", table)
    assert '<a href="topics/ease-of-use/">Ease of use</a>' in table
    assert "Keras makes common cases short." in table and "Plain Python, easy to debug." in table
    for status in ("Supported", "Disputed", "Contradicted", "Outdated", "Unverified"):
        assert f">{status}</span> " in article  # the status legend


def test_topic_page_shows_claim_verdict_badges_caveat_and_code_tabs(built):
    article = built.article("topics/ease-of-use/")
    text = visible(article)
    assert "<h1" in article and "Ease of use" in text
    assert '<h2 id="debugging">Debugging' in article
    assert "Harder to debug." in text and "Eager by default since 2.0." in text  # the article vs what we found
    assert "Our verdict: Both debug well in eager mode." in text
    assert re.search(r'atlas-status--supported"[^>]*>Supported</span> “PyTorch feels more Pythonic.”', article)
    assert re.search(r'atlas-status--outdated"[^>]*>Outdated</span> “TensorFlow is hard to debug.”', article)
    assert '<div class="admonition warning">' in article and "Graph mode (tf.function)" in text
    labels = re.findall(r'<label for="__tabbed_1_\d">([^<]+)</label>', article)
    assert labels == ["TensorFlow", "PyTorch"]
    assert 'class="language-python highlight"' in article and "set_trace" in text


def test_every_kb_page_shows_last_reviewed_sources_and_edit_links(built):
    for page in KB_PAGES:
        article = built.article(page)
        assert "Last reviewed:" in visible(article), page
        assert edit_links(article) or page == "api/", f"{page}: no edit link"
        for link in edit_links(article):
            assert link.startswith(EDIT + "data/"), link
            assert (built.data_dir.parent / link[len(EDIT) :]).is_file(), f"{page}: {link} names no data file"


def test_topic_page_dates_sources_and_edit_links(built):
    article = built.article("topics/ease-of-use/")
    text = visible(article)
    # The page is as fresh as its oldest entry (the aspect and one claim were reviewed earlier).
    assert f"Last reviewed: {long(OLDER)}" in text
    assert f"Last reviewed {long(OLDER)}" in text  # the aspect's own line
    sources = article[article.index('id="page-sources"') :]
    numbered = re.findall(r'<li id="source-([a-z0-9-]+)">', sources)
    assert numbered == ["pytorch-docs", "tensorflow-docs", "tf-release-notes"]
    # Citation numbers link to the list.
    assert '<a href="#source-pytorch-docs">1</a>' in article
    assert '<a href="#source-tf-release-notes">3</a>' in article
    assert EDIT + "data/topics/ease-of-use.yaml" in edit_links(article)
    assert EDIT + "data/aspects/debugging.yaml" in edit_links(article)
    assert EDIT + "data/claims/tf-hard-to-debug.yaml" in edit_links(article)
    # The theme's edit button opens the same topic file.
    assert re.search(r'<a href="' + EDIT + r'data/topics/ease-of-use.yaml"[^>]*rel="edit"', built.html("topics/ease-of-use/"))


def test_use_cases_page_is_a_choice_guide(built):
    text = visible(built.article("use-cases/"))
    assert "Which should I choose?" in text
    assert "Research prototypes PyTorch PyTorch" in text  # the summary row: ours, then the article's
    assert "We recommend: either TensorFlow or PyTorch." in text


def test_faq_trends_pros_cons_and_frameworks(built):
    faq = built.article("faq/")
    assert '<h2 id="which-is-faster">Which framework is faster for training?' in faq
    assert "<summary>What the article answered</summary>" in faq
    assert "<p>It depends on the model and settings.</p>\n<p>See the benchmarks." in faq
    trends = visible(built.article("future-trends/"))
    assert "Deployment at the edge Supported The article's prediction." in trends
    pros = visible(built.article("pros-and-cons/"))
    assert "Pros" in pros and "Supported Pythonic API (from the article)" in pros
    assert "Outdated Smaller mobile story (from the article) — ExecuTorch changed this." in pros
    frameworks = visible(built.article("frameworks/"))
    assert "First release 2016-09-01" in frameworks and "First release not stated" in frameworks
    assert "Developed by Google Brain." in frameworks


def test_sources_page_groups_by_kind_and_says_what_cites_each(built):
    article = built.article("sources/")
    headings = re.findall(r'<h2 id="kind-([a-z-]+)">', article)
    assert headings == ["official-docs", "release-notes", "article"]
    entry = article[article.index('id="source-tf-release-notes"') :]
    entry = visible(entry[: entry.index("</li>")])
    assert "TensorFlow 2.16 release, Google, published 2024-03-08." in entry
    assert "Cited by comparison: Debugging; claim: TensorFlow is hard to debug." in entry
    assert '<a href="../topics/ease-of-use/#debugging">Debugging</a>' in article
    assert '<a href="../topics/ease-of-use/#claim-tf-hard-to-debug">' in article


def test_pages_are_in_the_menu_and_hand_written_pages_have_dates(built):
    home = built.html("")
    for label in ("Home", "Compare", "Choose", "Sources", "About", "Which should I choose?", "JSON API"):
        assert re.search(rf">\s*{re.escape(label)}\s*<", home), label
    about = built.article("about/")
    assert "Last reviewed:" in visible(about)
    assert "edit/main/docs/about.md" in about


@pytest.mark.parametrize("page", KB_PAGES)
def test_pages_declare_their_language_and_have_one_h1(built, page):
    html = built.html(page)
    assert '<html lang="en"' in html
    assert built.article(page).count("<h1") == 1
