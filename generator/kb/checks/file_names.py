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
        if entry.id is None or entry.file.stem == entry.id or not re.match(ID_PATTERN, entry.id):
            continue
        if entry.file.with_name(f"{entry.id}.yaml").exists():
            continue  # another file is named after this id: duplicate-ids says how to tell the two apart
        # offer the file's name as the id only when it is a valid id nobody else uses
        stem = entry.file.stem
        usable = re.match(ID_PATTERN, stem) and stem not in ctx.ids(entry.collection)
        alternative = f" (or change the id to '{stem}')" if usable else ""
        yield ctx.problem(
            entry,
            ("id",),
            f"id '{entry.id}' does not match the file name '{entry.file.name}'"
            f" — Tip: rename the file to {entry.id}.yaml{alternative}",
        )
