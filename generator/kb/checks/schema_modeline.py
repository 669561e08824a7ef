"""Each data file names its JSON Schema on its first line, so editors autocomplete fields and flag mistakes."""

from __future__ import annotations

from collections.abc import Iterator

from generator.kb.checks import CheckContext
from generator.problems import Problem, Severity

NAME = "schema-modeline"
DESCRIPTION = "Warn when a data file does not start with its yaml-language-server $schema line."

PREFIX = "# yaml-language-server: $schema="


def expected_line(collection: str) -> str:
    return f"{PREFIX}../../schema/{collection}.schema.json"


def check(ctx: CheckContext) -> Iterator[Problem]:
    for entry in ctx.entries:
        if entry.text is None:
            continue
        first = entry.text.split("\n", 1)[0].rstrip()
        expected = expected_line(entry.collection)
        if first == expected:
            continue
        what = "names the wrong schema" if first.startswith(PREFIX) else "does not start with its schema line"
        yield Problem(
            entry.path,
            1,
            f"the file {what} — Tip: make the first line '{expected}' so editors check the file as you type",
            Severity.warning,
        )
