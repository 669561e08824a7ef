"""From page writers' output to a docs folder and a MkDocs configuration, ready for ``mkdocs build``.

Kept apart from :mod:`generator.site.build` so the preview server re-renders with exactly the same code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from markupsafe import escape

try:  # libyaml: the front matter of a few hundred pages is read back here
    from yaml import CSafeLoader as _FrontMatterLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _FrontMatterLoader  # type: ignore[assignment]

from generator.site.context import Asset, Page
from generator.site.raw_blocks import BLOCK_END, BLOCK_START

REPO_ROOT = Path(__file__).resolve().parents[2]
MKDOCS_YML = REPO_ROOT / "mkdocs.yml"
HANDWRITTEN_DIR = REPO_ROOT / "docs"
# Material's own edit icon: the button is written into each page, so it looks the same under MkDocs and Zensical.
_MATERIAL_DIR = Path(importlib.util.find_spec("material").origin).parent  # type: ignore[arg-type, union-attr]
EDIT_ICON = (_MATERIAL_DIR / "templates/.icons/material/file-edit-outline.svg").read_text(encoding="utf-8").strip()

# Menu tabs, in order. A section no writer uses is simply absent; a section not listed here goes before "Sources".
SECTION_ORDER = ["Home", "Compare", "Choose", "Benchmarks", "Sources", "About"]
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


class RenderError(Exception):
    """A problem in the site's own pages (not in contributors' data): a bug or a hand-written page to fix."""


def handwritten_pages(docs_dir: Path, edit_base: str) -> tuple[list[Page], list[Asset]]:
    """The pages in docs/, each with front matter naming its title and menu place, plus their assets."""
    pages: list[Page] = []
    assets: list[Asset] = []
    for file in sorted(docs_dir.rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(docs_dir).as_posix()
        if file.suffix != ".md":
            assets.append(Asset(rel, file.read_bytes()))
            continue
        text = file.read_text(encoding="utf-8")
        match = _FRONT_MATTER.match(text)
        meta = yaml.safe_load(match.group(1)) if match else None
        missing = [key for key in ("title", "nav_section", "last_reviewed") if not isinstance(meta, dict) or key not in meta]
        if missing:
            raise RenderError(f"docs/{rel}: front matter lacks {', '.join(missing)} — Tip: start the page with"
                              " '---', 'title: ...', 'nav_section: About', 'last_reviewed: YYYY-MM-DD', '---'")
        assert isinstance(meta, dict)
        reviewed = meta["last_reviewed"]
        reviewed = reviewed if isinstance(reviewed, dt.date) else dt.date.fromisoformat(str(reviewed))
        edit_url = edit_base + "docs/" + rel
        footer = (
            '\n\n<div class="atlas-pagefacts" markdown>\n\n'
            f'**Last reviewed:** <time datetime="{reviewed.isoformat()}">{reviewed.day} {reviewed:%B %Y}</time>\n\n'
            f'<a href="{escape(edit_url)}">Edit this page</a>\n\n</div>\n'
        )
        assert match is not None
        body = text[match.end():].rstrip()
        markdown = f"{match.group(0)}\n{edit_button(edit_url)}\n\n{body.lstrip()}{footer}"
        pages.append(Page(rel, str(meta["title"]), markdown, str(meta["nav_section"]), int(meta.get("nav_order", 0))))
    return pages, assets


def edit_button(url: str) -> str:
    """The theme's "Edit this page" button, as Material draws it, in a raw block Markdown leaves alone.

    Written into the page rather than left to the theme: the theme can only point at ``docs/<page>.md``, which does
    not exist for a generated page, and no engine lets a page name its own edit URL without a plugin.
    """
    return (
        f'{BLOCK_START}<a href="{escape(url)}" title="Edit this page" class="md-content__button md-icon"'
        f' rel="edit">{EDIT_ICON}</a>{BLOCK_END}'
    )


def with_edit_button(page: Page) -> Page:
    """A writer's page with the edit button for the ``edit_url`` of its front matter (none when that is null)."""
    match = _FRONT_MATTER.match(page.markdown)
    meta = yaml.load(match.group(1), Loader=_FrontMatterLoader) if match else None
    url = meta.get("edit_url") if isinstance(meta, dict) else None
    if not url or match is None:
        return page
    markdown = f"{match.group(0)}\n{edit_button(str(url))}\n{page.markdown[match.end():]}"
    return dataclasses.replace(page, markdown=markdown)


def write_docs(items: Iterable[Page | Asset], docs_dir: Path) -> list[Page]:
    """Write every page and asset under ``docs_dir``; files already there with the same bytes are left alone.

    Leaving unchanged files untouched (and deleting the ones no longer produced) keeps the preview server's file
    watcher quiet: only what really changed triggers a rebuild. Returns the pages, for the menu.
    """
    wanted: dict[Path, bytes] = {}
    pages: list[Page] = []
    for item in items:
        if item.path.startswith(("/", "..")) or "/../" in item.path or "\\" in item.path:
            raise RenderError(f"page path {item.path!r} must be relative to the docs folder")
        target = docs_dir / item.path
        if target in wanted:
            raise RenderError(f"two writers produce {item.path}: each page path must be unique")
        wanted[target] = item.markdown.encode("utf-8") if isinstance(item, Page) else item.content
        if isinstance(item, Page):
            pages.append(item)
    for target, content in wanted.items():
        if not (target.is_file() and target.read_bytes() == content):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    if docs_dir.exists():
        for stale in [p for p in docs_dir.rglob("*") if p.is_file() and p not in wanted]:
            stale.unlink()
    return pages


def navigation(pages: list[Page]) -> list[Any]:
    """The MkDocs ``nav``: sections in :data:`SECTION_ORDER`, pages by (nav_order, title) within a section.

    A page whose ``nav_section`` is empty is built and linked but not listed in the menu. Titles are HTML-escaped
    here, once: the theme prints navigation titles without escaping them.
    """
    sections: dict[str, list[Page]] = {}
    for page in pages:
        if page.nav_section:
            sections.setdefault(page.nav_section, []).append(page)
    before_sources = SECTION_ORDER.index("Sources") - 0.5
    ordered = sorted(sections, key=lambda name: SECTION_ORDER.index(name) if name in SECTION_ORDER else before_sources)
    nav: list[Any] = []
    for name in ordered:
        entries = [{str(escape(page.title)): page.path}
                   for page in sorted(sections[name], key=lambda page: (page.nav_order, page.title))]
        if len(entries) == 1:
            nav.append({str(escape(name)): next(iter(entries[0].values()))})
        else:
            nav.append({str(escape(name)): entries})
    return nav


def mkdocs_config(docs_dir: Path, site_dir: Path, nav: list[Any], built_at: dt.datetime, *, strict: bool,
                  config_dir: Path) -> dict[str, Any]:
    """The repository's mkdocs.yml with this build's folders, menu and build time filled in.

    Folders are relative to ``config_dir`` (where the file is written), as both engines read them: Zensical
    panics on an absolute ``docs_dir``. There are no hooks: the pages carry their table of contents, edit button
    and search sections themselves.
    """
    config = yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))
    config["docs_dir"] = _relative(docs_dir, config_dir)
    config["site_dir"] = _relative(site_dir, config_dir)
    config["nav"] = nav
    config["strict"] = strict
    config["theme"]["custom_dir"] = _relative(REPO_ROOT / config["theme"]["custom_dir"], config_dir)
    extra = config.setdefault("extra", {})
    extra["built_at"] = built_at.isoformat(timespec="seconds")
    extra["built_on"] = f"{built_at.day} {built_at:%B %Y}"
    return config


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def repo_links() -> tuple[str, str]:
    """(repository URL, base of edit links) from mkdocs.yml: one place to change when the repository moves."""
    config = yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))
    repo_url = str(config["repo_url"]).rstrip("/")
    return repo_url, f"{repo_url}/edit/{config.get('extra', {}).get('branch', 'main')}/"
