"""Hostile contributor text renders as inert text: no dialog opens, no script runs, no live link or handler."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from .conftest import REPO_ROOT, _serve, build_into, copy_data, open_context

PAYLOADS = [
    "<script>window.__atlas_pwned = 'script'; alert('script')</script>",
    '<img src=x onerror="window.__atlas_pwned = \'onerror\'; alert(\'onerror\')">',
    "<svg onload=\"alert('svg')\"></svg>",
    "[click me](javascript:alert('markdown-link'))",
    '<a href="javascript:alert(\'raw-link\')">raw link</a>',
    "![img](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div markdown="1"><iframe src="data:text/html,<script>alert(1)</script>"></iframe></div>',
    "{{ 7 * 7 }} {% if true %}templated{% endif %} {# comment #}",
]


def _entry(kind: str, source_id: str, today: str) -> dict:
    text = " ".join(PAYLOADS)
    if kind == "faq":
        return {
            "id": "hostile-question",
            "order": 999,
            "question": "Hostile <script>alert('q')</script> {{ 7 * 7 }} question?",
            "article_answer": text,
            "answer": text,
            "sources": [source_id],
            "last_reviewed": today,
        }
    return {
        "id": "hostile-claim",
        "quote": text,
        "section": "Hostile <b onmouseover=alert(1)>section</b>",
        "status": "unverified",
        "evidence": text,
        "sources": [source_id],
        "last_reviewed": today,
    }


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    data = copy_data(tmp)
    source_id = sorted((REPO_ROOT / "data" / "sources").glob("*.yaml"))[0].stem
    today = dt.date.today()
    for kind, folder in (("faq", "faq"), ("claim", "claims")):
        entry = _entry(kind, source_id, today.isoformat())
        entry["last_reviewed"] = today
        path = data / folder / f"{entry['id']}.yaml"
        header = f"# yaml-language-server: $schema=../../schema/{folder}.schema.json\n"
        path.write_text(header + yaml.safe_dump(entry, sort_keys=False, allow_unicode=True), encoding="utf-8")
    yield from _serve(build_into(tmp, data))


def test_hostile_text_is_shown_as_text_and_never_runs(hostile_site, browser):
    context, log = open_context(browser)
    page = context.new_page()
    shown_on = []
    live = []
    for path in hostile_site.pages():
        page.goto(hostile_site.base_url + path, wait_until="networkidle")
        text = page.inner_text("body")
        if "__atlas_pwned" in text:
            shown_on.append(path)
            assert "{{ 7 * 7 }}" in text, f"{path}: template syntax was evaluated instead of shown"
        if page.evaluate("window.__atlas_pwned !== undefined"):
            live.append(f"{path}: a hostile script ran ({page.evaluate('window.__atlas_pwned')})")
        for selector in ("[onerror]", "[onload]", "[onmouseover]", "a[href^='javascript:']", "iframe", "img[src^='data:text']"):
            if page.locator(f".md-content {selector}").count():
                live.append(f"{path}: live hostile element {selector}")
    context.close()
    assert shown_on, "the hostile entries were not rendered anywhere (expected as visible text on FAQ / fact-check)"
    assert not live, "\n".join(live)
    assert not log.dialogs, f"dialogs opened: {log.dialogs}"
