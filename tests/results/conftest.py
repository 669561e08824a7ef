from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.kb.loader import load_knowledge_base
from generator.results.load import ResultSet, load_results
from generator.site import build
from generator.site.context import Page, SiteContext

from .result_factory import write_standard_set

REPO_ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert("x")</script> [click](javascript:alert(1)) {: onclick="x" } | **bold**'


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory) -> Path:
    """A results folder of synthetic (clearly labelled, schema-built) results."""
    return write_standard_set(tmp_path_factory.mktemp("results"))


@pytest.fixture(scope="session")
def resultset(results_dir) -> ResultSet:
    return load_results(results_dir)


@pytest.fixture(scope="session")
def knowledge_base():
    loaded = load_knowledge_base(REPO_ROOT / "data")
    assert loaded.kb is not None, [p.format() for p in loaded.problems]
    return loaded


def make_context(loaded, results: ResultSet) -> SiteContext:
    return SiteContext(
        kb=loaded.kb,
        origins=loaded.origins,
        results=results,
        repo_url="https://github.com/framework-atlas/framework-atlas",
        edit_base="https://github.com/framework-atlas/framework-atlas/edit/main/",
        built_at=dt.datetime(2026, 1, 6, 12, 0, tzinfo=dt.UTC),
        repo_root=REPO_ROOT,
    )


@pytest.fixture(scope="session")
def ctx(knowledge_base, resultset) -> SiteContext:
    return make_context(knowledge_base, resultset)


def pages_by_path(items) -> dict[str, Page]:
    return {item.path: item for item in items if isinstance(item, Page)}


@pytest.fixture(scope="session")
def built_site(results_dir, tmp_path_factory):
    """The whole site, built strictly (MkDocs checks links and anchors) with the synthetic results."""
    site = tmp_path_factory.mktemp("built") / "site"
    assert build.build_site(REPO_ROOT / "data", results_dir, site) == 0
    return site
