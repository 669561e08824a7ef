"""Every internal link and anchor in the built site resolves (parsed from the HTML, no browser needed)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") == "canonical"):
                self.links.append(attrs[name])


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def _target(root: Path, page: Path, url: str) -> Path:
    path = unquote(urlparse(url).path)
    base = root if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve() if path else page
    return target / "index.html" if target.is_dir() else target


def test_every_internal_link_and_anchor_resolves(site):
    root = site.root.resolve()
    parsed = {p: _parse(p) for p in root.rglob("*.html")}
    broken = []
    for page, collector in parsed.items():
        if page.name == "404.html":
            continue  # MkDocs roots the 404 page's links at site_url's path on purpose, so it works at any depth
        for link in collector.links:
            scheme = urlparse(link).scheme
            if scheme in ("http", "https", "mailto") or link.startswith("//"):
                continue  # external links (edit links, sources) are not fetched here
            url, anchor = urldefrag(link)
            target = _target(root, page, url)
            if not target.exists():
                broken.append(f"{page.relative_to(root)}: {link} → missing {target}")
                continue
            if anchor and target.suffix == ".html":
                ids = (parsed.get(target) or _parse(target)).ids
                if anchor not in ids:
                    broken.append(f"{page.relative_to(root)}: {link} → no #{anchor} in {target.relative_to(root)}")
    assert len(parsed) >= 8
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:50])
