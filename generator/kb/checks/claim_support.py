"""'supported' needs primary evidence: a secondary article alone (like the article this site started from) is not.

Applies to everything with a status: claims, trends, and each pro or con. A claim's own measurements
(``measured_by``) count as evidence besides its sources.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from generator.kb.checks import CheckContext
from generator.kb.loader import Entry
from generator.kb.models import ClaimStatus, SourceKind
from generator.kb.yamlsource import Loc
from generator.problems import Problem, Severity

NAME = "claim-support"
DESCRIPTION = "Warn when something marked 'supported' cites no source, or only sources of kind 'article'."


def check(ctx: CheckContext) -> Iterator[Problem]:
    kinds = {entry.model.id: entry.model.kind for entry in ctx.in_collection("sources")}  # type: ignore[union-attr]
    for entry in ctx.valid():
        for loc, item in _statused(entry):
            if getattr(item, "status", None) is not ClaimStatus.supported or getattr(
                item, "measured_by", None
            ):
                continue
            cited = [kinds[source] for source in getattr(item, "sources", []) if source in kinds]
            if not getattr(item, "sources", []):
                reason = "cites no source"
            elif cited and all(kind is SourceKind.article for kind in cited):
                reason = "is backed only by sources of kind 'article'"
            else:
                continue
            yield ctx.problem(
                entry,
                (*loc, "status"),
                f"status is 'supported' but the entry {reason}"
                " — Tip: cite a primary source (official docs, release notes, a paper, a repository),"
                " or set the status to 'unverified'",
                Severity.warning,
            )


def _statused(entry: Entry) -> Iterator[tuple[Loc, BaseModel]]:
    model = entry.model
    assert model is not None
    yield (), model
    for side in ("pros", "cons"):
        for index, item in enumerate(getattr(model, side, None) or []):
            yield (side, index), item
