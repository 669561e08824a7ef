"""The raw-blocks extension only saves time: every page converts to the same HTML and TOC with it and without it."""

from __future__ import annotations

import re

import markdown
import pytest
import yaml

from generator.site.build import load_context, render_docs
from generator.site.render import MKDOCS_YML
from tests.site.fixture_kb import write_fixture_kb

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def _extensions(*, with_raw_blocks: bool) -> tuple[list[str], dict]:
    names, configs = [], {}
    for item in yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))["markdown_extensions"]:
        name, config = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        if name == "generator.site.raw_blocks" and not with_raw_blocks:
            continue
        names.append(name)
        configs[name] = config or {}
    return names, configs


def _convert(text: str, *, with_raw_blocks: bool) -> tuple[str, list]:
    names, configs = _extensions(with_raw_blocks=with_raw_blocks)
    md = markdown.Markdown(extensions=names, extension_configs=configs)
    html = md.convert(_FRONT_MATTER.sub("", text))
    # Plain Markdown may move the (invisible) end-of-block comment; everything else must be the same
    return " ".join(html.replace("<!-- /atlas-block -->", " ").split()), md.toc_tokens


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("raw-blocks")
    ctx = load_context(write_fixture_kb(root), root / "data" / "results")
    assert ctx is not None
    pages = render_docs(ctx, root / "docs")
    return {page.path: (root / "docs" / page.path).read_text(encoding="utf-8") for page in pages}


def test_the_extension_is_listed_for_both_engines() -> None:
    assert "generator.site.raw_blocks" in _extensions(with_raw_blocks=True)[0]


def test_every_page_converts_the_same_with_and_without_it(rendered: dict[str, str]) -> None:
    different = [
        path for path, text in rendered.items()
        if _convert(text, with_raw_blocks=True) != _convert(text, with_raw_blocks=False)
    ]
    assert not different
    assert sum('<div class="atlas-block">' in text for text in rendered.values()) > 10


def test_contributor_markdown_in_a_block_stays_text(rendered: dict[str, str]) -> None:
    html, _ = _convert(rendered["topics/hostile-topic.md"], with_raw_blocks=True)
    assert "[click me](javascript:alert(1))" in html and 'href="javascript:' not in html
    assert "<script>window.__pwned" not in html
