"""``build_site`` replaces site/ only when everything succeeded; any failure leaves the old site exactly as it was."""

from __future__ import annotations

import hashlib
import shutil
import types
from pathlib import Path

import pytest

from generator.site import build
from generator.site.build import build_site, replace_directory
from generator.site.context import Page


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def old_site(built, tmp_path) -> tuple[Path, Path, dict[str, str]]:
    """A copy of the fixture's data and of its built site, in a fresh folder the test may break."""
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data)
    site = tmp_path / "site"
    shutil.copytree(built.site, site)
    return data, site, snapshot(site)


def no_staging_left(site: Path) -> bool:
    return not list(site.parent.glob(build.STAGING_PREFIX + "*"))


@pytest.mark.parametrize(
    ("relative", "text"),
    [
        ("faq/which-is-faster.yaml", "id: which-is-faster\nquestion: [unclosed\n"),  # YAML syntax error
        ("faq/which-is-faster.yaml", "id: which-is-faster\nid: again\n"),  # duplicate key
        ("topics/ease-of-use.yaml", ""),  # empty file
        ("sources/pytorch-docs.yaml", "id: pytorch-docs\nurl: javascript:alert(1)\n"),  # bad URL, missing fields
    ],
)
def test_bad_data_leaves_the_old_site_untouched(old_site, relative, text, capsys):
    data, site, before = old_site
    (data / relative).write_text(text, encoding="utf-8")
    assert build_site(data, data / "results", site) == 1
    out = capsys.readouterr()
    assert f"data/{relative}:" in out.out  # the problem, as path:line: message
    assert "Traceback" not in out.out + out.err
    assert snapshot(site) == before
    assert no_staging_left(site)


def test_a_failing_mkdocs_build_leaves_the_old_site_untouched(old_site, monkeypatch, capsys):
    """A page with a broken link passes validation but fails `mkdocs build --strict`: the swap never happens."""
    data, site, before = old_site
    broken = types.ModuleType("tests_site_broken_writer")
    broken.pages = lambda ctx: [Page("broken.md", "Broken", "# Broken\n\n[nowhere](missing.md)\n", "About")]
    monkeypatch.setitem(__import__("sys").modules, "tests_site_broken_writer", broken)
    monkeypatch.setattr(build, "WRITERS", [*build.WRITERS, "tests_site_broken_writer"])
    assert build_site(data, data / "results", site) == 1
    err = capsys.readouterr().err
    assert "missing.md" in err and "strict" in err
    assert snapshot(site) == before
    assert no_staging_left(site)


def test_a_missing_writer_module_is_a_clear_error(old_site, monkeypatch, capsys):
    data, site, before = old_site
    monkeypatch.setattr(build, "WRITERS", [*build.WRITERS, "generator.site.no_such_writer"])
    assert build_site(data, data / "results", site) == 1
    assert "generator.site.no_such_writer is listed in generator.site.build.WRITERS" in capsys.readouterr().err
    assert snapshot(site) == before


def test_refuses_to_replace_a_folder_that_is_not_a_site(built, tmp_path, capsys):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete", encoding="utf-8")
    assert build_site(built.data_dir, built.data_dir / "results", precious) == 1
    assert "does not look like a built site" in capsys.readouterr().err
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "do not delete"


def test_replace_directory_swaps_whole_folders(tmp_path):
    old, new = tmp_path / "site", tmp_path / "new"
    old.mkdir()
    (old / "index.html").write_text("old", encoding="utf-8")
    new.mkdir()
    (new / "index.html").write_text("new", encoding="utf-8")
    replace_directory(new, old, trash=tmp_path / "trash")
    assert (old / "index.html").read_text(encoding="utf-8") == "new"
    assert not new.exists() and not (tmp_path / "trash").exists()
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    replace_directory(fresh, tmp_path / "absent", trash=tmp_path / "trash")
    assert (tmp_path / "absent").is_dir()
