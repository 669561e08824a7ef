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

import yaml

from generator.kb.models import KnowledgeBase

try:  # libyaml's emitter: ~10x faster than the pure-Python one, and a large build writes hundreds of these
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


@dataclass(frozen=True)
class Page:
    path: str  # relative to the docs folder, e.g. "benchmarks/index.md"
    title: str
    markdown: str
    nav_section: str  # e.g. "Compare", "Benchmarks", "About"; the build orders sections
    nav_order: int = 0


def front_matter(values: dict[str, Any]) -> str:
    """A page's YAML front matter block (``---`` … ``---``), keys in the order given."""
    return f"---\n{yaml.dump(values, Dumper=_Dumper, sort_keys=False, allow_unicode=True)}---\n"


@dataclass(frozen=True)
class Asset:
    path: str  # relative to the docs folder, e.g. "assets/javascripts/vega.min.js"
    content: bytes


@dataclass(frozen=True)
class SiteContext:
    kb: KnowledgeBase
    origins: dict[tuple[str, str], str]  # (collection, entry id) -> data file path relative to the repo root
    results: Any  # generator.results.load.ResultSet (kept loose so this module stays import-light)
    repo_url: str  # e.g. "https://github.com/framework-atlas/framework-atlas"
    edit_base: str  # e.g. repo_url + "/edit/main/"
    built_at: dt.datetime
    repo_root: Path = field(default_factory=Path.cwd)

    def edit_url(self, collection: str, entry_id: str) -> str:
        return self.edit_base + self.origins[(collection, entry_id)]
