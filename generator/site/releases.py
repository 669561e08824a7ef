"""The releases page: the latest version of each framework and tool, with its date, as PyPI reports it.

Why a page of its own: release facts typed into prose age the day a new version ships. They live in
``data/releases/`` (refreshed by ``tools/refresh_versions.py`` on a schedule), this page shows them, and prose
that needs "the latest version" points here instead of typing a number; ``invoke validate`` flags prose that still
calls an older version the latest or current one.
"""

from __future__ import annotations

from generator.site.context import Page, SiteContext
from generator.site.markup import external_link, render
from generator.site.pagekit import PageKit, long_date

RELEASES_PAGE = "releases.md"


def pages(ctx: SiteContext) -> list[Page]:
    kit = PageKit(ctx, RELEASES_PAGE)
    rows = []
    for release in sorted(ctx.kb.releases, key=lambda r: r.name.lower()):
        rows.append({
            "name": release.name,
            "package": release.package,
            "version": external_link(release.url, release.latest_version),
            "released": long_date(release.released),
            "edit": kit.shows("releases", release.id),
        })
    kit.reviewed_on(ctx.built_at.date())  # the refresh asks PyPI on a schedule; the build date is this copy's
    body = render("releases.html.j2", rows=rows)
    return [kit.page("Latest releases", body, section="About", order=30,
                     description="The latest version of each framework and tool, with its date, read from PyPI.")]
