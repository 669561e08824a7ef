"""The releases page, and contributor text beside a measured verdict staying inert."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace

from generator.kb.models import Release
from generator.site import factcheck, releases
from tests.site.conftest import claim_block

SCRIPT = "<script>window.__pwned = 1</script>"


def test_the_releases_page_shows_every_recorded_release_with_its_date_and_pypi_link(repo_ctx):
    (page,) = releases.pages(repo_ctx)
    assert repo_ctx.kb.releases, "data/releases/ holds the release facts"
    for release in repo_ctx.kb.releases:
        assert f'<a href="{release.url}">{release.latest_version}</a>' in page.markdown
        assert f'<time datetime="{release.released.isoformat()}">' in page.markdown
        assert f"<code>{release.package}</code>" in page.markdown


def test_release_text_is_escaped(repo_ctx):
    hostile = Release(id="evil", name=SCRIPT, package=SCRIPT, latest_version="1.0", released=dt.date(2026, 1, 1),
                      url="https://pypi.org/project/evil/1.0/")
    (page,) = releases.pages(replace(repo_ctx, kb=repo_ctx.kb.model_copy(update={"releases": [hostile]})))
    assert SCRIPT not in page.markdown and html.escape(SCRIPT, quote=False) in page.markdown


def test_an_explanation_beside_a_disagreeing_verdict_is_shown_and_inert(repo_ctx):
    claims = []
    for claim in repo_ctx.kb.claims:
        if claim.id == "pytorch-slower-more-flexible":  # measured 'mixed': 'supported' disagrees with it
            compares = claim.compares.model_copy(update={"why_status_differs": SCRIPT})
            claim = claim.model_copy(update={"status": "supported", "compares": compares})
        claims.append(claim)
    (page,) = factcheck.pages(replace(repo_ctx, kb=repo_ctx.kb.model_copy(update={"claims": claims})))
    block = claim_block(page.markdown, "pytorch-slower-more-flexible")
    assert "The status differs from the measured verdict" in block
    assert "(the measurements call for “disputed”)" in html.unescape(block)
    assert SCRIPT not in block and "&lt;script&gt;" in block


def test_a_disagreement_without_explanation_says_so_on_the_page(repo_ctx):
    claims = [claim.model_copy(update={"status": "supported"}) if claim.id == "pytorch-slower-more-flexible"
              else claim for claim in repo_ctx.kb.claims]
    (page,) = factcheck.pages(replace(repo_ctx, kb=repo_ctx.kb.model_copy(update={"claims": claims})))
    block = claim_block(page.markdown, "pytorch-slower-more-flexible")
    assert "no explanation has been given yet; validation warns about it" in block

