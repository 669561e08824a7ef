"""An entry made of claims (a trend, a pro or con that restates claims) is no stronger than its weakest claim.

"AI on edge devices and federated learning" cannot be supported while its federated half is unverified; a pro
cannot be supported while the claim it restates is unverified. Strength, strongest first: supported, then
disputed (some evidence each way), then the statuses that do not support the statement at all (unverified,
outdated, contradicted), which rank equal: a composite with such a part can take any of them.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from generator.kb.checks import CheckContext
from generator.kb.loader import Entry
from generator.kb.models import Claim, ClaimStatus
from generator.kb.yamlsource import Loc
from generator.problems import Problem

NAME = "composite-status"
DESCRIPTION = "A trend's or a pro's/con's status may not be stronger than the weakest claim it is made of."

STRENGTH = {
    ClaimStatus.supported: 2,
    ClaimStatus.disputed: 1,
    ClaimStatus.unverified: 0,
    ClaimStatus.outdated: 0,
    ClaimStatus.contradicted: 0,
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    claims = {entry.model.id: entry.model for entry in ctx.in_collection("claims") if isinstance(entry.model, Claim)}
    for entry in ctx.valid():
        for loc, item in _composites(entry):
            parts = [claims[claim_id] for claim_id in getattr(item, "claims", []) if claim_id in claims]
            if not parts:
                continue
            weakest = min(parts, key=lambda claim: STRENGTH[claim.status])
            status = item.status  # type: ignore[attr-defined]
            if STRENGTH[status] > STRENGTH[weakest.status]:
                yield ctx.problem(
                    entry, (*loc, "status"),
                    f"status '{status}' is stronger than its weakest part: claim '{weakest.id}' is"
                    f" '{weakest.status}' — Tip: set the status to '{weakest.status}', or settle that claim first")


def _composites(entry: Entry) -> Iterator[tuple[Loc, BaseModel]]:
    """The entry itself when it has a status and claims (a trend), and each pro or con of a pros-cons entry."""
    model = entry.model
    assert model is not None
    if hasattr(model, "status") and hasattr(model, "claims"):
        yield (), model
    for side in ("pros", "cons"):
        for index, item in enumerate(getattr(model, side, None) or []):
            yield (side, index), item
