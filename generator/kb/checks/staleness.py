"""Entries are re-checked against their sources at least once a year; older reviews are flagged, not refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.kb.checks import CheckContext
from generator.problems import Problem, Severity

NAME = "staleness"
DESCRIPTION = "Warn when 'last_reviewed' (or a source's 'accessed') is more than a year old."

MAX_AGE_DAYS = 365
# field → what to do about it
DATE_FIELDS = {
    "last_reviewed": "re-check the entry against its sources, then set last_reviewed to today's date",
    "accessed": "open the URL, check it still says what we cite it for, then set accessed to today's date",
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    for entry in ctx.valid():
        for field, fix in DATE_FIELDS.items():
            value = getattr(entry.model, field, None)
            if not isinstance(value, dt.date):
                continue
            age = (ctx.today - value).days
            if age > MAX_AGE_DAYS:
                yield ctx.problem(
                    entry,
                    (field,),
                    f"{field} {value.isoformat()} is {age} days old (more than {MAX_AGE_DAYS}) — Tip: {fix}",
                    Severity.warning,
                )
