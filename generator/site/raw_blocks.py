"""A Python-Markdown extension that hands the pages' raw HTML blocks to the output without parsing them.

Knowledge-base pages are HTML in raw ``<div class="atlas-block">`` blocks between Markdown headings
(:mod:`generator.site.pagekit`). Markdown alone builds them correctly, but to find where a raw block ends it runs
every tag through ``html.parser``: on a 100× knowledge base that tripled the build. The blocks are ours and have a
fixed shape: each ends with :data:`BLOCK_END`, which nothing inside can contain (contributors' text is escaped, so
it holds no ``<`` of its own). This preprocessor stores each block whole in Markdown's HTML stash, as Markdown's own
raw-HTML step would, and leaves everything else to Markdown.

It is an ordinary Markdown extension listed in mkdocs.yml, which MkDocs and Zensical both load; pages do not
depend on it (without it they build the same, only slower), so nothing is engine-specific.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

BLOCK_START = '<div class="atlas-block">'
BLOCK_END = "</div><!-- /atlas-block -->"
_BLOCK = re.compile(re.escape(BLOCK_START) + r".*?" + re.escape(BLOCK_END), re.DOTALL)


class _StashRawBlocks(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if BLOCK_START not in text:
            return lines
        stashed = _BLOCK.sub(lambda match: f"\n\n{self.md.htmlStash.store(match.group(0))}\n\n", text)
        return stashed.split("\n")


class RawBlocksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # Just before Markdown's own raw-HTML step (priority 20), and after MkDocs' (21), which reads the ids in
        # raw HTML so that links to #anchors in these blocks are checked.
        md.preprocessors.register(_StashRawBlocks(md), "atlas_raw_blocks", 20.5)


def makeExtension(**kwargs: object) -> RawBlocksExtension:  # noqa: N802 - the name Markdown looks for
    return RawBlocksExtension(**kwargs)
