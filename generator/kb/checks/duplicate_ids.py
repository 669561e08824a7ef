"""Every id is used by one file only within its collection: pages, edit links and references rely on it."""

from __future__ import annotations

from collections.abc import Iterator

from generator.kb.checks import CheckContext, slug
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
                f" — Tip: ids must be unique in a collection; {_new_id_tip(ctx, entry)}",
            )


def _new_id_tip(ctx: CheckContext, entry: Entry) -> str:
    """Suggest the file's own name as the new id, made valid, when no entry uses it yet."""
    candidate = slug(entry.file.stem)
    if candidate and candidate != entry.id and candidate not in ctx.ids(entry.collection):
        return f"give this entry the id '{candidate}' and name its file {candidate}.yaml"
    return "give one of them a new id (lower-case words joined by '-') and name its file <new id>.yaml"
