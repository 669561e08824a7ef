"""A claim's human status must not contradict its computed measured verdicts everywhere in its scope.

This check needs the benchmark results as well as the knowledge base, so it is not in ``CHECKS`` (which sees the
YAML only): ``invoke validate`` runs it after both have loaded, through :func:`check`. A claim that measures
(``measured_by``) but declares no comparison (``compares``) is flagged too: without one the build cannot say
whether the numbers beside it agree with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.bench.deploy.paths import PATHS
from generator.kb.checks import CheckContext
from generator.kb.loader import Entry
from generator.kb.models import Claim
from generator.problems import Problem, Severity
from generator.site.verdicts import ClaimVerdicts, applicable_tasks

NAME = "measured-status"
DESCRIPTION = (
    "Warn when a claim's status disagrees with its measured verdict on every machine in its scope, or when a "
    "claim with measured_by declares no comparison."
)


def check(entries: list[Entry], verdicts: dict[str, ClaimVerdicts], frameworks: set[str]) -> Iterator[Problem]:
    for entry in entries:
        claim = entry.model
        if entry.collection != "claims" or not isinstance(claim, Claim):
            continue
        if claim.measured_by and claim.compares is None:
            yield CheckContext.problem(
                entry, ("measured_by",),
                "the claim names measurements but declares no comparison, so no verdict can be computed"
                " — Tip: add 'compares:' (metric, phase, favours or within_percent, scope)", Severity.warning)
            continue
        if claim.compares is None:
            continue
        if claim.compares.favours is not None and claim.compares.favours not in frameworks:
            yield CheckContext.problem(
                entry, ("compares", "favours"),
                f"'{claim.compares.favours}' is not a benchmarked framework — Tip: use one of "
                f"{', '.join(sorted(frameworks))}")
            continue
        unknown_paths = [path for path in claim.compares.paths or [] if path not in PATHS]
        if unknown_paths:
            yield CheckContext.problem(
                entry, ("compares", "paths"),
                f"unknown export path {', '.join(repr(p) for p in unknown_paths)} — Tip: use path ids of "
                f"generator/bench/deploy/paths.py: {', '.join(PATHS)}")
            continue
        if not applicable_tasks(claim):
            yield CheckContext.problem(
                entry, ("compares", "metric"),
                f"no task in measured_by gives '{claim.compares.metric}' measurements — Tip: list a benchmark "
                "task of that kind in measured_by, or change the metric", Severity.warning)
            continue
        verdict = verdicts.get(claim.id)
        if verdict is None:
            continue
        suggested = verdict.disagreement(claim.status)
        if suggested is None or verdict.why_status_differs:
            continue
        outcomes = "; ".join(f"{machine.outcome} on {machine.where}" for machine in verdict.measured)
        yield CheckContext.problem(
            entry, ("status",),
            f"status '{claim.status}' disagrees with the measured verdict everywhere in its scope ({outcomes})"
            f" — Tip: change the status to '{suggested}' and say why in evidence, or, if the measurements do not"
            " settle the claim, narrow compares.scope or explain in compares.why_status_differs",
            Severity.warning)

