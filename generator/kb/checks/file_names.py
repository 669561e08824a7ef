"""A file is named after the id inside it, so contributors find an entry by its id and edit links stay stable."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.kb.checks import CheckContext
from generator.kb.models import ID_PATTERN
from generator.problems import Problem

NAME = "file-names"
DESCRIPTION = "The file name must be '<id>.yaml'."


def check(ctx: CheckContext) -> Iterator[Problem]:
    for entry in ctx.entries:
        # an id that is not a valid id at all is already reported by the schema
        if entry.id is not None and entry.file.stem != entry.id and re.match(ID_PATTERN, entry.id):
            yield ctx.problem(
                entry,
                ("id",),
                f"id '{entry.id}' does not match the file name '{entry.file.name}'"
                f" — Tip: rename the file to {entry.id}.yaml (or change the id to '{entry.file.stem}')",
            )
