"""Every id an entry refers to exists: sources, claims, topics, benchmark tasks, and framework ids used as keys.

Which fields refer to which collection is decided by the field's name, wherever it appears (top level or nested,
e.g. ``pros[2].sources``), so a new model that reuses the names is checked without changes here.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from generator.kb.checks import CheckContext
from generator.kb.messages import field_name
from generator.kb.yamlsource import Loc
from generator.problems import Problem

NAME = "references"
DESCRIPTION = (
    "References to sources, frameworks, claims, topics and benchmark tasks must name existing entries."
)

# field name → the collection its id (or list of ids) points into
REFERENCE_FIELDS = {
    "sources": "sources",
    "claims": "claims",
    "measured_by": "benchmarks",
    "topic": "topics",
    "framework": "frameworks",
    "recommendation": "frameworks",
}
# fields that are mappings keyed by framework id (so a third framework is a data change)
KEYED_BY_FRAMEWORK = frozenset({"per_framework", "article_says", "at_a_glance"})
_SINGULAR = {
    "sources": "source",
    "claims": "claim",
    "benchmarks": "benchmark task",
    "topics": "topic",
    "frameworks": "framework",
}


def references(model: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, str, str, bool]]:
    """(location, target collection, id, is_key) for every reference in a model, nested models included."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        here = (*loc, name)
        target = REFERENCE_FIELDS.get(name)
        if target is not None:
            if isinstance(value, str):
                yield here, target, value, False
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        yield (*here, index), target, item, False
        if name in KEYED_BY_FRAMEWORK and isinstance(value, dict):
            for key in value:
                yield (*here, key), "frameworks", key, True
        if isinstance(value, BaseModel):
            yield from references(value, here)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from references(item, (*here, index))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from references(item, (*here, key))


def check(ctx: CheckContext) -> Iterator[Problem]:
    for entry in ctx.valid():
        for loc, target, ref, is_key in references(entry.model):  # type: ignore[arg-type]
            if ref in ctx.ids(target):
                continue
            what = _SINGULAR[target]
            if is_key:
                known = ", ".join(sorted(ctx.ids("frameworks"))) or "none yet"
                message = (
                    f"unknown framework '{ref}' used as a key of '{field_name(loc[:-1])}'"
                    f" — Tip: {ctx.suggest(target, ref)}keys are framework ids ({known}),"
                    f" or add data/frameworks/{ref}.yaml"
                )
            else:
                message = (
                    f"unknown {what} '{ref}' in '{field_name(loc)}'"
                    f" — Tip: {ctx.suggest(target, ref)}use the id of an existing {what},"
                    f" or add data/{target}/{ref}.yaml"
                )
            yield ctx.problem(entry, loc, message, key=is_key)
