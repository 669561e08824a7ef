"""``invoke build`` and ``invoke serve``: validated data in, a complete static site out, or nothing changed at all.

The build never edits ``site/`` in place. It validates the knowledge base and the results first (any error: print
them, exit 1, touch nothing), renders every page into a staging folder next to ``site/``, runs MkDocs in strict
mode there, and only when all of that succeeded swaps the new site in with one rename. A failure at any step
leaves the previous ``site/`` exactly as it was, and the staging folder is removed.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from generator.problems import Problem, Severity
from generator.site.context import Asset, Page, SiteContext
from generator.site.render import (
    HANDWRITTEN_DIR,
    REPO_ROOT,
    RenderError,
    handwritten_pages,
    mkdocs_config,
    navigation,
    repo_links,
    with_edit_button,
    write_docs,
)

# Every page writer, in menu order within a section. A module listed here that cannot be imported fails the build
# with its name: a page family is never skipped silently. Each module offers ``pages(ctx) -> list[Page | Asset]``.
WRITERS: list[str] = [
    "generator.site.home",
    "generator.site.topics",
    "generator.site.guides",
    "generator.site.sources",
    "generator.site.api",
    "generator.site.releases",
    "generator.site.glossary",
    # The measured comparison (results pages, fact-check, provenance; other owners, same contract).
    "generator.site.charts",
    "generator.site.benchmarks",
    "generator.site.accuracy",
    "generator.site.deployment",
    "generator.site.sweeps",
    "generator.site.scaling",
    "generator.site.factcheck",
    "generator.site.methodology",
    "generator.site.environments",
]

STAGING_PREFIX = ".site-build-"  # staging folders sit next to site/ (same file system, so the swap is a rename)
log = logging.getLogger("atlas.build")


class BuildError(Exception):
    """A build that must stop with a message (not a traceback): the old site stays as it was."""


# -- loading -------------------------------------------------------------------------------------------------------


def load_context(data_dir: Path, results_dir: Path, *, out=None) -> SiteContext | None:
    """Validate the knowledge base and the results; print every problem; None when there is any error."""
    from generator.kb.loader import load_knowledge_base
    from generator.kb.validate import report
    from generator.results.load import load_results

    loaded = load_knowledge_base(data_dir)
    root = data_dir.resolve().parent
    results = load_results(results_dir, repo_root=root)
    problems: list[Problem] = [*loaded.problems, *results.problems]
    errors = [problem for problem in problems if problem.severity is Severity.error]
    if problems:
        report(problems, len(loaded.entries), out=out or sys.stdout)
    if errors or loaded.kb is None:
        return None
    repo_url, edit_base = repo_links()
    return SiteContext(
        kb=loaded.kb,
        origins=loaded.origins,
        results=results,
        repo_url=repo_url,
        edit_base=edit_base,
        built_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        repo_root=root,
    )


def writer_modules() -> list:
    modules = []
    for name in WRITERS:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            raise BuildError(f"page writer {name} is listed in generator.site.build.WRITERS but does not exist"
                             " — add the module or remove it from the list") from None
    return modules


def render_docs(ctx: SiteContext, docs_dir: Path) -> list[Page]:
    """Hand-written docs plus every writer's pages and assets, written under ``docs_dir``; returns the pages."""
    pages, assets = handwritten_pages(HANDWRITTEN_DIR, ctx.edit_base)
    items: list[Page | Asset] = [*pages, *assets]
    for module in writer_modules():
        items.extend(with_edit_button(item) if isinstance(item, Page) else item for item in module.pages(ctx))
    return write_docs(items, docs_dir)


def write_config(ctx: SiteContext, staging: Path, pages: list[Page], *, strict: bool, site_dir: Path,
                 preview: bool = False) -> Path:
    config = mkdocs_config(staging / "docs", site_dir, navigation(pages), ctx.built_at, strict=strict,
                           config_dir=staging)
    if preview:  # served from the root of 127.0.0.1, not under the published site's path
        config.pop("site_url", None)
    path = staging / "mkdocs.yml"
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        path.write_text(text, encoding="utf-8")
    return path


# -- the build -----------------------------------------------------------------------------------------------------


def build_site(data_dir: Path, results_dir: Path, site_dir: Path, *, strict: bool = True,
               engine: str = "mkdocs") -> int:
    """Validate, render, run the engine (MkDocs or Zensical), and replace ``site_dir`` only if everything
    succeeded. Returns 0 or 1."""
    started = time.perf_counter()
    if engine not in ENGINES:
        print(f"build: unknown engine {engine!r} — use one of: {', '.join(ENGINES)}", file=sys.stderr)
        return 1
    data_dir, results_dir, site_dir = Path(data_dir), Path(results_dir), Path(site_dir).absolute()
    ctx = load_context(data_dir, results_dir)
    if ctx is None:
        print(f"build: not built — fix the errors above; {site_dir} was left as it was", file=sys.stderr)
        return 1
    staging = site_dir.parent / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        _check_replaceable(site_dir, data_dir)
        staging.mkdir(parents=True)
        pages = render_docs(ctx, staging / "docs")
        config_file = write_config(ctx, staging, pages, strict=strict, site_dir=staging / "site")
        ENGINES[engine](config_file)
        _check_output(staging / "site")
        replace_directory(staging / "site", site_dir, trash=staging / "old-site")
    except (BuildError, RenderError) as exc:
        print(f"build: {exc} — {site_dir} was left as it was", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 — a bug, not bad data: show where, and still leave the old site alone
        traceback.print_exc()
        print(f"build: failed — {site_dir} was left as it was", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"build: {len(pages)} pages in {site_dir} ({time.perf_counter() - started:.1f} s)")
    return 0


@contextmanager
def _mkdocs_messages() -> Iterator[None]:
    """Show MkDocs' warnings and errors (strict mode turns warnings into a failed build), not its chatter."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def run_mkdocs(config_file: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _mkdocs_messages():
        try:
            config = load_config(str(config_file))
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as exc:
            raise BuildError(f"mkdocs build --strict failed: {exc}") from None


def run_zensical(config_file: Path) -> None:
    """Zensical reads the same mkdocs.yml; it runs as its own process (its core is Rust and prints its own log)."""
    done = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "--strict", "--config-file", config_file.name],
        cwd=config_file.parent, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        shown = " ".join((done.stderr or done.stdout).split()[-60:])
        raise BuildError(f"zensical build --strict failed: {shown}")


# The engines that build the same rendered pages into the same site (tests/site/test_engines.py compares them).
ENGINES = {"mkdocs": run_mkdocs, "zensical": run_zensical}


def _check_output(site: Path) -> None:
    for required in ("index.html", "api/kb.json", "404.html"):
        if not (site / required).is_file():
            raise BuildError(f"the built site lacks {required}")


def _check_replaceable(site_dir: Path, data_dir: Path) -> None:
    """Refuse to replace anything that is not a previous build: a wrong --site must never delete real files."""
    if not site_dir.exists():
        return
    if not site_dir.is_dir() or site_dir.is_symlink():
        raise BuildError(f"{site_dir} exists and is not a folder")
    protected = {REPO_ROOT.resolve(), data_dir.resolve(), Path.home().resolve(), Path("/").resolve()}
    if site_dir.resolve() in protected or any(p.is_relative_to(site_dir.resolve()) for p in protected if p != Path("/")):
        raise BuildError(f"refusing to replace {site_dir}: it holds the repository or the data")
    if any(site_dir.iterdir()) and not (site_dir / "index.html").is_file():
        raise BuildError(f"refusing to replace {site_dir}: it is not empty and does not look like a built site")


_RENAME_EXCHANGE = 2


def replace_directory(new: Path, target: Path, *, trash: Path) -> None:
    """Put ``new`` where ``target`` is. On Linux the two folders are exchanged atomically (renameat2): a reader
    or web server sees the old site or the new one, never a missing or half-written one. Elsewhere, two renames."""
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # now holds the old site
        return
    target.rename(trash)
    try:
        new.rename(target)
    except OSError:
        trash.rename(target)  # put the old site back
        raise
    shutil.rmtree(trash)


def _exchange(a: Path, b: Path) -> bool:
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


# -- the preview server --------------------------------------------------------------------------------------------


def serve(data_dir: Path = Path("data"), results_dir: Path = Path("data/results"), *, host: str = "127.0.0.1",
          port: int = 8000) -> int:
    """Preview with live reload: MkDocs serves the rendered folder; a watcher re-renders it from data/ and the
    templates when they change (only changed files are rewritten, so MkDocs rebuilds once per edit)."""
    from mkdocs.commands.serve import serve as mkdocs_serve
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    staging = REPO_ROOT / f"{STAGING_PREFIX}serve"
    staging.mkdir(exist_ok=True)
    lock = threading.Lock()

    def render() -> bool:
        with lock:
            ctx = load_context(Path(data_dir), Path(results_dir), out=sys.stderr)
            if ctx is None:
                print("serve: the data has errors (above); still showing the last good version", file=sys.stderr)
                return False
            try:
                pages = render_docs(ctx, staging / "docs")
                write_config(ctx, staging, pages, strict=False, site_dir=staging / "site", preview=True)
            except Exception:  # noqa: BLE001 — the preview keeps serving the last good version
                traceback.print_exc()
                return False
            return True

    if not render():
        return 1

    class Rerender(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if not event.is_directory and not str(event.src_path).endswith((".swp", "~")):
                render()

    from generator.site.markup import TEMPLATES_DIR

    observer = Observer()
    for folder in (Path(data_dir), Path(results_dir), TEMPLATES_DIR, HANDWRITTEN_DIR):
        if folder.is_dir():
            observer.schedule(Rerender(), str(folder), recursive=True)
    observer.start()

    def stop(signum, frame):  # a terminated preview cleans up like an interrupted one
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        with _mkdocs_messages():
            mkdocs_serve(config_file=str(staging / "mkdocs.yml"), livereload=True, watch_theme=True,
                         dev_addr=f"{host}:{port}")
    finally:
        observer.stop()
        observer.join()
        shutil.rmtree(staging, ignore_errors=True)
    return 0
