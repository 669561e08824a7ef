"""Every id is used by one file only within its collection: pages, edit links and references rely on it."""

from __future__ import annotations

from collections.abc import Iterator

from generator.kb.checks import CheckContext
from generator.kb.loader import Entry
from generator.problems import Problem

NAME = "duplicate-ids"
DESCRIPTION = "Two files of the same collection must not share an id."


def check(ctx: CheckContext) -> Iterator[Problem]:
    owners: dict[tuple[str, str], list[Entry]] = {}
    for entry in ctx.entries:
        if entry.id is not None:
            owners.setdefault((entry.collection, entry.id), []).append(entry)
    for (collection, entry_id), entries in owners.items():
        if len(entries) < 2:
            continue
        for entry in entries:
            others = ", ".join(
                f"{other.path}:{other.line(('id',))}" for other in entries if other is not entry
            )
            yield ctx.problem(
                entry,
                ("id",),
                f"duplicate id '{entry_id}' in {collection}: also used by {others}"
                " — Tip: ids must be unique in a collection;"
                " give one of them a new id (and rename its file to match)",
            )
