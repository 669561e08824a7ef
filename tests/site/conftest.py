"""One site built from the fixture knowledge base, shared by every test that only reads it (a build costs seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.site.build import build_site
from tests.site.fixture_kb import write_fixture_kb


@dataclass(frozen=True)
class Built:
    data_dir: Path
    site: Path

    def html(self, page: str) -> str:
        """The HTML of a page by its URL path ('' for home, 'faq/', 'topics/ease-of-use/')."""
        return (self.site / page / "index.html").read_text(encoding="utf-8")

    def article(self, page: str) -> str:
        """Only the page's own content (what the writers produced), without the theme around it."""
        html = self.html(page)
        return html[html.index("<h1", html.index("<article")) : html.index("</article>")]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("site-fixture")
    data_dir = write_fixture_kb(root)
    status = build_site(data_dir, root / "data" / "results", root / "site")
    assert status == 0, "the fixture site did not build; see the output above"
    return Built(data_dir, root / "site")
