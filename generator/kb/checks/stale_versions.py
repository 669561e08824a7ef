"""Prose must not call an older version the latest or current one: the release facts in ``data/releases/`` say
which version is the latest, and they are refreshed from PyPI on a schedule while prose is not.

A sentence is flagged when it names a recorded project (its name or an alias) followed by a version older than
the recorded latest one, with "latest", "current", "newest", "most recent" or "is (now) at" close by, e.g. "by 2026
PyTorch is at 2.13" once 2.14 is recorded. Versions are compared by release number (2.14 = 2.14.0), so "2.15" is
current when 2.15.0 is the latest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.version import InvalidVersion, Version
from pydantic import BaseModel

from generator.kb.checks import CheckContext
from generator.kb.models import Release
from generator.kb.yamlsource import Loc
from generator.problems import Problem, Severity

NAME = "stale-versions"
DESCRIPTION = "Warn when prose calls a version older than the one recorded in data/releases/ the latest or current."

CURRENT_WORDS = re.compile(r"\b(?:latest|current|currently|newest|most recent|(?:is|now) (?:now )?at)\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
VERSION = r"v?(\d+\.\d+(?:\.\d+)*)"
NEAR_CHARS = 40  # "latest" must be this close to the version it qualifies, so a long sentence is not misread
IGNORED_FIELDS = frozenset({"url", "homepage", "repository", "id", "sources", "claims", "measured_by"})


def check(ctx: CheckContext) -> Iterator[Problem]:
    releases = [entry.model for entry in ctx.in_collection("releases") if isinstance(entry.model, Release)]
    patterns = [(release, _mention(release)) for release in releases]
    if not patterns:
        return
    for entry in ctx.valid():
        if entry.collection in ("releases", "sources"):  # sources' titles name the version they are *about*
            continue
        for loc, value in _texts(entry.model):  # type: ignore[arg-type]
            for sentence in SENTENCE_END.split(value):
                if not CURRENT_WORDS.search(sentence):
                    continue
                for release, pattern in patterns:
                    for match in pattern.finditer(sentence):
                        near = sentence[max(0, match.start() - NEAR_CHARS): match.end() + NEAR_CHARS]
                        if CURRENT_WORDS.search(near) and _older(match.group(1), release.latest_version):
                            yield ctx.problem(
                                entry, loc,
                                f"says {match.group(0)!r} is the latest or current, but {release.name}"
                                f" {release.latest_version} is recorded (data/releases/{release.id}.yaml)"
                                f" — Tip: update the sentence, or point to the releases page instead of typing"
                                " the version", Severity.warning)


def _mention(release: Release) -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted({release.name, *release.aliases}, key=len, reverse=True))
    return re.compile(rf"\b(?:{names})(?:\s+(?:is\s+)?(?:now\s+)?at)?\s+{VERSION}(?![\d.]*\d)", re.I)


def _older(named: str, latest: str) -> bool:
    """2.13 is older than 2.15.0; 2.15 is not (it names the same release line at the precision it gives)."""
    try:
        named_release = Version(named).release
        return named_release < Version(latest).release[: len(named_release)]
    except InvalidVersion:
        return False


def _texts(model: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every text value of an entry with its location (nested models, lists and maps included)."""
    for name in type(model).model_fields:
        if name in IGNORED_FIELDS:
            continue
        yield from _walk(getattr(model, name), (*loc, name))


def _walk(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        yield from _texts(value, loc)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*loc, key))
