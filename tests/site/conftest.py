"""One site built from the fixture knowledge base, shared by every test that only reads it (a build costs seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.kb.loader import load_knowledge_base
from generator.results.load import load_results
from generator.site.build import build_site
from generator.site.context import SiteContext
from tests.site.fixture_kb import write_fixture_kb

REPO_ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="module")
def repo_ctx() -> SiteContext:
    """The repository's own knowledge base and results, as the build sees them (for checks of the data as it is)."""
    import datetime as dt

    loaded = load_knowledge_base(REPO_ROOT / "data")
    assert loaded.kb is not None, [problem.format() for problem in loaded.errors]
    return SiteContext(kb=loaded.kb, origins=loaded.origins, results=load_results(REPO_ROOT / "data" / "results"),
                       repo_url="https://github.com/framework-atlas/framework-atlas",
                       edit_base="https://github.com/framework-atlas/framework-atlas/edit/main/",
                       built_at=dt.datetime.now(dt.UTC), repo_root=REPO_ROOT)


def claim_block(page_html: str, claim_id: str) -> str:
    """One claim's part of the fact-check page, from its anchor to the end of its entry."""
    start = page_html.index(f'id="claim-{claim_id}"')
    return page_html[start:page_html.index("</details>", start)]
