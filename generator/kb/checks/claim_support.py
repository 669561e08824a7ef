"""Evidence discipline: a status other than 'unverified' needs evidence, and 'supported' needs primary evidence.

A claim's status is a verdict, and its own measurements (``measured_by``) count as evidence besides its sources:
a claim that is not 'unverified' yet cites neither is an opinion, so that is an error. For the other things with a
status (trends, each pro or con) an unsourced 'supported' is a warning, and everywhere a 'supported' backed only by
secondary articles (like the article this site started from) is a warning.
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
DESCRIPTION = (
    "A claim whose status is not 'unverified' must cite a source or a measurement (error);"
    " warn when a pro, con or trend marked 'supported' cites nothing, or 'supported' rests only on articles."
)


def check(ctx: CheckContext) -> Iterator[Problem]:
    kinds = {entry.model.id: entry.model.kind for entry in ctx.in_collection("sources")}  # type: ignore[union-attr]
    for entry in ctx.valid():
        is_claim = entry.collection == "claims"
        for loc, item in _statused(entry):
            status = getattr(item, "status", None)
            sources = getattr(item, "sources", None) or []
            if status is None or status is ClaimStatus.unverified or getattr(item, "measured_by", None):
                continue
            if not sources and (is_claim or status is ClaimStatus.supported):
                measured = " or measurements ('measured_by: [<benchmark task id>]')" if is_claim else ""
                yield ctx.problem(
                    entry,
                    (*loc, "status"),
                    f"status is '{status.value}' but the entry cites no evidence"
                    f" — Tip: add 'sources: [<source id>]' (ids from data/sources/){measured},"
                    " or set the status to 'unverified'",
                    Severity.error if is_claim else Severity.warning,
                )
                continue
            cited = [kinds[source] for source in sources if source in kinds]
            if status is ClaimStatus.supported and cited and all(kind is SourceKind.article for kind in cited):
                yield ctx.problem(
                    entry,
                    (*loc, "status"),
                    "status is 'supported' but the entry is backed only by sources of kind 'article'"
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
