"""The answer at a glance on every screen: tables that fit their column, the verdict in view, numbers up front.

Each page is opened at a phone's width (390 px) and a desktop's (1280 px). Charts and tables below the first screen
are laid out lazily (content-visibility in atlas.css); the tests lay everything out first, as scrolling would, so
each table is measured at its real width.
"""

from __future__ import annotations

import re

import pytest

from .conftest import open_context

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
BENCHMARK_PAGES = ("/benchmarks/", "/benchmarks/image-classification/", "/benchmarks/sentiment-analysis/",
                   "/benchmarks/object-detection/")
RATIO = re.compile(r"\d+\.\d\d×")

LAY_OUT_EVERYTHING = """async () => {
  const style = document.createElement("style");
  style.textContent = ".md-typeset .atlas-chart, .md-typeset .md-typeset__scrollwrap { content-visibility: visible !important; }";
  document.head.appendChild(style);
  window.dispatchEvent(new Event("resize"));
  await new Promise(resolve => setTimeout(resolve, 300));
}"""

# Every table wider than the box it is shown in: Material's scroll box (which reaches a little into the page
# margin) or, for a table outside one, the article's text column. On a phone every table of three or more columns
# is a column of cards, and a desktop table that does not fit becomes cards too, so none may be wider; only a long
# reference list (every run) scrolls sideways, and then its first column must stay in view.
TOO_WIDE = """() => {
  const column = document.querySelector(".md-content__inner");
  const out = [];
  column.querySelectorAll("table").forEach(table => {
    const box = table.closest(".md-typeset__scrollwrap");
    const visible = box ? box.clientWidth : column.clientWidth;
    const wide = box ? box.scrollWidth > box.clientWidth + 1
                     : table.getBoundingClientRect().right > column.getBoundingClientRect().right + 1;
    const first = table.querySelector("tbody td");
    const kept = box && first && getComputedStyle(first).position === "sticky";  // its first column stays in view
    if (wide && !kept) {
      const head = table.querySelector("th, td");
      out.push(`${Math.round(table.getBoundingClientRect().width)} px table starting "${head ? head.textContent.trim().slice(0, 40) : ""}" in a ${visible} px box`);
    }
  });
  return out;
}"""


@pytest.fixture(scope="module", params=list(WIDTHS))
def screen(request, browser):
    context, log = open_context(browser, viewport=WIDTHS[request.param])
    page = context.new_page()
    yield request.param, page
    context.close()


def test_no_table_is_wider_than_its_column(site, screen):
    name, page = screen
    too_wide = []
    for path in site.pages():
        page.goto(site.base_url + path, wait_until="load")
        page.evaluate(LAY_OUT_EVERYTHING)
        too_wide += [f"{path} ({name}): {problem}" for problem in page.evaluate(TOO_WIDE)]
    assert len(site.pages()) >= 20, site.pages()
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.parametrize("path", BENCHMARK_PAGES)
def test_each_benchmark_page_shows_its_verdict_without_scrolling_sideways(site, screen, path):
    name, page = screen
    page.goto(site.base_url + path, wait_until="load")
    verdict = page.locator("#verdict")
    assert verdict.count() == 1, f"{path} has no measured verdict block (#verdict)"
    box = verdict.bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (name, box)
    assert RATIO.search(verdict.inner_text()), f"{path}: the verdict gives no measured ratio"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], f"{path} scrolls sideways at {name} width ({scroll_width} px)"


def test_home_shows_measured_numbers_in_its_first_screen(site, screen):
    name, page = screen
    page.goto(site.base_url + "/", wait_until="load")
    first_screen = page.evaluate("""() => {
      const out = [];
      const walker = document.createTreeWalker(document.querySelector("article"), NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const rect = node.parentElement.getBoundingClientRect();
        if (rect.top < window.innerHeight && rect.bottom > 0) { out.push(node.textContent); }
      }
      return out.join(" ");
    }""")
    assert RATIO.search(first_screen), f"no measured ratio in the first screen at {name} width: {first_screen[:400]}"
    assert page.locator("#verdict").bounding_box()["y"] < page.viewport_size["height"] / 2


def test_the_fact_check_filters_by_status_and_section_and_opens_a_linked_claim(site, browser):
    context, log = open_context(browser, viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.goto(site.base_url + "/fact-check/", wait_until="load")
    rows = page.locator(".atlas-factcheck tr[data-status]")
    total = rows.count()
    assert total > 10
    assert page.eval_on_selector(".atlas-factcheck table", "t => t.hasAttribute('data-atlas-cards')"), \
        "the summary of every claim is cards on a phone, not a table to scroll sideways"

    def visible() -> list[tuple[str, str]]:
        return page.eval_on_selector_all(
            ".atlas-factcheck tr[data-status]",
            "rows => rows.filter(r => r.offsetParent !== null).map(r => [r.dataset.status, r.dataset.section])")

    page.check("#atlas-status-supported")
    shown = visible()
    assert shown and len(shown) < total and {status for status, _ in shown} == {"supported"}
    page.check("#atlas-status-all")
    assert len(visible()) == total
    section = page.eval_on_selector("#atlas-section option:nth-child(3)", "o => o.value")
    page.select_option("#atlas-section", section)
    shown = visible()
    assert shown and {s for _, s in shown} == {section}
    page.select_option("#atlas-section", "")
    assert len(visible()) == total
    claim = page.eval_on_selector(".atlas-factcheck tr[data-status] a[href^='#claim-']", "a => a.hash")
    page.click(f".atlas-factcheck a[href='{claim}']")
    assert page.eval_on_selector(f"[id='{claim[1:]}']", "a => a.closest('details').open")
    cite = page.eval_on_selector("details.atlas-claim[open] .atlas-cite a", "a => a.hash")
    page.click(f"details.atlas-claim[open] .atlas-cite a[href='{cite}']")
    page.wait_for_timeout(100)
    assert page.eval_on_selector(f"[id='{cite[1:]}']", "li => li.closest('details').open"), \
        "a citation number opens the folded list of sources at its source"
    assert not log.problems(), log.problems()
    context.close()
