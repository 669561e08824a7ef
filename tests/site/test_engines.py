"""The same rendered pages build the same site under MkDocs and Zensical: no page relies on an engine's hooks.

Zensical, the successor Material for MkDocs' team is building, reads mkdocs.yml but ignores ``hooks:``; pages that
needed a hook for their table of contents, edit button or search entries lost them there. Both engines build
here from one rendered docs folder, and every page must show the same table-of-contents links, edit links and
search entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.site.build import ENGINES, build_site, load_context, render_docs, write_config
from tests.site.fixture_kb import write_fixture_kb
from tests.site.site_facts import PageFacts, site_facts


@dataclass(frozen=True)
class TwoSites:
    root: Path
    config: dict
    facts: dict[str, dict[str, PageFacts]]  # engine -> page -> facts


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> TwoSites:
    root = tmp_path_factory.mktemp("engines")
    data_dir = write_fixture_kb(root)
    ctx = load_context(data_dir, root / "data" / "results")
    assert ctx is not None
    staging = root / "staging"
    pages = render_docs(ctx, staging / "docs")  # rendered once: both engines build these very files
    facts = {}
    for engine, run in ENGINES.items():
        config_file = write_config(ctx, staging, pages, strict=True, site_dir=staging / f"site-{engine}")
        run(config_file)
        facts[engine] = site_facts(staging / f"site-{engine}")  # Zensical: inside the project
    return TwoSites(root, yaml.safe_load(config_file.read_text(encoding="utf-8")), facts)


def test_both_engines_build_the_same_pages(two_sites: TwoSites) -> None:
    assert set(two_sites.facts["mkdocs"]) == set(two_sites.facts["zensical"])
    assert len(two_sites.facts["mkdocs"]) > 20


@pytest.mark.parametrize("fact", ["toc", "edits", "search"])
def test_every_page_has_the_same_toc_edit_links_and_search_entries(two_sites: TwoSites, fact: str) -> None:
    mkdocs, zensical = two_sites.facts["mkdocs"], two_sites.facts["zensical"]
    different = {page: (getattr(mkdocs[page], fact), getattr(zensical[page], fact))
                 for page in mkdocs if getattr(mkdocs[page], fact) != getattr(zensical.get(page, PageFacts()), fact)}
    assert not different, different


@pytest.mark.parametrize("page", ["topics/ease-of-use/", "fact-check/", "faq/", "sources/", ""])
def test_generated_pages_have_a_table_of_contents_under_both(two_sites: TwoSites, page: str) -> None:
    for engine in ENGINES:
        toc = two_sites.facts[engine][page].toc
        assert toc and all(href.startswith("#") for href in toc), (engine, toc)


def test_the_topic_page_toc_lists_its_aspects_and_sources(two_sites: TwoSites) -> None:
    for engine in ENGINES:
        assert {"#debugging", "#page-sources"} <= set(two_sites.facts[engine]["topics/ease-of-use/"].toc), engine


def test_edit_buttons_open_files_that_exist(two_sites: TwoSites) -> None:
    """A generated page's button opens its YAML file; a hand-written page's its docs/ file; none a missing file."""
    repo_root = Path(__file__).resolve().parents[2]
    for engine in ENGINES:
        for page, facts in two_sites.facts[engine].items():
            for href in facts.edits:
                path = href.split("/edit/main/", 1)[1]
                assert (two_sites.root / path).is_file() or (repo_root / path).is_file(), (engine, page, href)
        topic = two_sites.facts[engine]["topics/ease-of-use/"].edits
        assert topic[0].endswith("/edit/main/data/topics/ease-of-use.yaml"), (engine, topic)
        assert two_sites.facts[engine]["about/"].edits[0].endswith("/edit/main/docs/about.md"), engine


def test_search_has_an_entry_per_section_of_generated_pages(two_sites: TwoSites) -> None:
    for engine in ENGINES:
        locations = {location for location, _, _ in two_sites.facts[engine]["topics/ease-of-use/"].search}
        assert {"topics/ease-of-use/#debugging", "topics/ease-of-use/#page-sources"} <= locations, engine


def test_the_config_uses_relative_folders_and_no_hooks(two_sites: TwoSites) -> None:
    config = two_sites.config
    assert "hooks" not in config
    for key in ("docs_dir", "site_dir"):
        assert not Path(config[key]).is_absolute(), config[key]
    assert not Path(config["theme"]["custom_dir"]).is_absolute()


def test_build_site_with_the_zensical_engine(tmp_path: Path, capsys) -> None:
    data_dir = write_fixture_kb(tmp_path)
    assert build_site(data_dir, tmp_path / "data" / "results", tmp_path / "site", engine="zensical") == 0
    assert (tmp_path / "site" / "search.json").is_file()  # Zensical's index, not the MkDocs plugin's
    assert (tmp_path / "site" / "topics" / "ease-of-use" / "index.html").is_file()


def test_an_unknown_engine_is_refused_with_the_choices(tmp_path: Path, capsys) -> None:
    assert build_site(tmp_path / "data", tmp_path / "results", tmp_path / "site", engine="hugo") == 1
    assert "unknown engine 'hugo' — use one of: mkdocs, zensical" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
