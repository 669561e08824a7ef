"""No page makes the browser contact another host: no remote scripts, styles, fonts, images or imports.

Links a reader may follow (sources, edit links, the repository) are fine; what is fetched automatically is not.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# <link rel=...> values whose href the browser fetches on its own.
FETCHING_RELS = {"stylesheet", "preload", "prefetch", "preconnect", "dns-prefetch", "modulepreload", "icon",
                 "manifest", "apple-touch-icon"}
REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


class _Fetches(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        urls = [attrs.get(name) for name in ("src", "srcset", "poster", "data")]
        if tag == "link" and FETCHING_RELS & set((attrs.get("rel") or "").lower().split()):
            urls.append(attrs.get("href"))
        for url in urls:
            if url and any(REMOTE.match(part.strip()) for part in url.split(",")):
                self.remote.append(f"<{tag}> {url}")
        style = attrs.get("style") or ""
        if re.search(r"url\(\s*['\"]?(?:https?:)?//", style):
            self.remote.append(f"<{tag} style> {style}")


def test_html_fetches_nothing_from_another_host(built):
    problems = []
    pages = list(built.site.rglob("*.html"))
    assert len(pages) >= 12
    for page in pages:
        parser = _Fetches()
        parser.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(built.site)}: {item}" for item in parser.remote]
    assert problems == []


def test_css_imports_and_urls_are_local(built):
    problems = []
    for sheet in built.site.rglob("*.css"):
        css = sheet.read_text(encoding="utf-8")
        for match in re.finditer(r"(@import\s+(?:url\()?\s*['\"]?|url\(\s*['\"]?)((?:https?:)?//[^'\")\s]+)", css):
            problems.append(f"{sheet.relative_to(built.site)}: {match.group(2)}")
    assert problems == []


def test_no_google_fonts_and_no_github_api_component(built):
    home = built.html("")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home
    # Material's "source" component would fetch repository facts from api.github.com.
    assert 'data-md-component="source"' not in home


def test_scripts_do_not_load_remote_code(built):
    problems = []
    for script in built.site.rglob("*.js"):
        code = script.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"importScripts\(\s*['\"]((?:https?:)?//[^'\"]+)", code):
            problems.append(f"{script.relative_to(built.site)}: importScripts {match.group(1)}")
    assert problems == []
