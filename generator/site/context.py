"""What every page writer receives, and what it gives back.

Page writers are small functions (one per page or page family) of the form
``def pages(ctx: SiteContext) -> list[Page | Asset]``; the build collects them, writes them into a temporary
docs folder and runs ``mkdocs build --strict`` there. Writers never read YAML or JSON themselves: they receive the
validated knowledge base and the validated results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.kb.models import KnowledgeBase


@dataclass(frozen=True)
class Page:
    path: str  # relative to the docs folder, e.g. "benchmarks/index.md"
    title: str
    markdown: str
    nav_section: str  # e.g. "Compare", "Benchmarks", "About"; the build orders sections
    nav_order: int = 0


@dataclass(frozen=True)
class Asset:
    path: str  # relative to the docs folder, e.g. "assets/javascripts/vega.min.js"
    content: bytes


@dataclass(frozen=True)
class SiteContext:
    kb: KnowledgeBase
    origins: dict[tuple[str, str], str]  # (collection, entry id) -> data file path relative to the repo root
    results: Any  # generator.resultset.ResultSet (kept loose so this module stays import-light)
    repo_url: str  # e.g. "https://github.com/framework-atlas/framework-atlas"
    edit_base: str  # e.g. repo_url + "/edit/main/"
    built_at: dt.datetime
    repo_root: Path = field(default_factory=Path.cwd)

    def edit_url(self, collection: str, entry_id: str) -> str:
        return self.edit_base + self.origins[(collection, entry_id)]
