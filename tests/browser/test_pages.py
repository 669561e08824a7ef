"""Every page as a reader's browser loads it: clean console, nothing fails, nothing leaves 127.0.0.1."""

from __future__ import annotations

import re

from .conftest import REPO_ROOT, open_context

PHONE = {"width": 375, "height": 740}


def test_every_page_loads_without_errors_or_external_requests(site, browser):
    context, log = open_context(browser)
    page = context.new_page()
    problems = {}
    for path in site.pages():
        before = len(log.problems())
        page.goto(site.base_url + path, wait_until="networkidle")
        new = log.problems()[before:]
        if new:
            problems[path] = new
    context.close()
    assert len(site.pages()) >= 8, f"expected the whole site, found only {site.pages()}"
    assert not problems, "\n".join(f"{path}: {p}" for path, ps in problems.items() for p in ps)


def test_no_page_scrolls_sideways_on_a_phone(site, browser):
    context, log = open_context(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    overflowing = []
    for path in site.pages():
        page.goto(site.base_url + path, wait_until="networkidle")
        page.wait_for_timeout(50)
        scroll_width, client_width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll_width > client_width:
            overflowing.append(f"{path}: page is {scroll_width}px wide in a {client_width}px viewport")
    context.close()
    assert not overflowing, "\n".join(overflowing)


def test_edit_links_point_at_the_yaml_files_the_page_came_from(site, browser):
    """Every 'edit this data' link names a data file that exists, and topic pages link their own topic file."""
    context, _ = open_context(browser)
    page = context.new_page()
    checked = 0
    wrong = []
    for path in site.pages():
        page.goto(site.base_url + path)
        for href in page.eval_on_selector_all("a.atlas-edit", "els => els.map(e => e.href)"):
            match = re.search(r"/(data/.+\.yaml)$", href)
            if not match or not (REPO_ROOT / match.group(1)).is_file():
                wrong.append(f"{path}: edit link {href} does not name an existing data file")
            checked += 1
    context.close()
    assert checked > 0, "no 'edit this data' link (class atlas-edit) on any page"
    assert not wrong, "\n".join(wrong)


def test_topic_page_edit_link_names_its_own_topic_file(site, browser):
    topics = sorted((REPO_ROOT / "data" / "topics").glob("*.yaml"))
    assert topics, "the knowledge base has no topics"
    context, _ = open_context(browser)
    page = context.new_page()
    missing = []
    for topic_file in topics:
        topic_id = topic_file.stem
        found = False
        for path in site.pages():
            if path.rstrip("/").split("/")[-1] == topic_id and "/topics/" in path:  # not benchmarks/deployment/
                page.goto(site.base_url + path)
                hrefs = page.eval_on_selector_all("a.atlas-edit", "els => els.map(e => e.href)")
                found = any(h.endswith(f"data/topics/{topic_id}.yaml") for h in hrefs)
                break
        if not found:
            missing.append(topic_id)
    context.close()
    assert not missing, f"topic pages without an edit link to their own data file: {missing}"


def test_search_finds_an_faq_entry_by_a_word_of_its_question(site, browser):
    import yaml

    faq_files = sorted((REPO_ROOT / "data" / "faq").glob("*.yaml"))
    question = yaml.safe_load(faq_files[0].read_text(encoding="utf-8"))["question"]
    word = max(re.findall(r"[A-Za-z]{5,}", question), key=len)
    context, log = open_context(browser)
    page = context.new_page()
    page.goto(site.base_url + "/", wait_until="networkidle")
    page.click("input.md-search__input")
    page.keyboard.type(word)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    results = page.inner_text(".md-search-result__list")
    context.close()
    assert word.lower() in results.lower(), f"search for {word!r} did not list the FAQ entry; got: {results[:300]}"
    assert not log.problems(), log.problems()
