"""Cross-file checks: rules no single file's schema can enforce.

Each check is a small module with ``NAME``, ``DESCRIPTION`` and ``check(ctx)``, a generator of
:class:`~generator.problems.Problem` (the shape of python/peps' ``check-peps.py`` and mdn/browser-compat-data's
``lint/``). Checks see every entry that could be read, valid or not, so one broken file does not hide the problems
of the others; messages say what is wrong and how to fix it ("— Tip: ..."), on the line of the offending value.
To add a check: write a module here and list it in ``CHECKS``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType

from generator.kb.loader import Entry
from generator.kb.models import ID_PATTERN
from generator.kb.yamlsource import Loc
from generator.problems import Problem, Severity


@dataclass
class CheckContext:
    entries: list[Entry]
    today: dt.date
    _ids: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            # A file that could not be read still presumably holds the entry its name says: counting it keeps
            # one syntax error from turning into an "unknown id" error in every file that refers to it.
            # An invalid file is counted under its file name too (an invalid id inside it is reported already).
            ids = self._ids.setdefault(entry.collection, set())
            ids.add(entry.id if entry.id is not None else entry.file.stem)
            if entry.model is None:
                ids.add(entry.file.stem)

    def in_collection(self, collection: str, *, valid_only: bool = True) -> Iterator[Entry]:
        for entry in self.entries:
            if entry.collection == collection and (entry.model is not None or not valid_only):
                yield entry

    def valid(self) -> Iterator[Entry]:
        return (entry for entry in self.entries if entry.model is not None)

    def ids(self, collection: str) -> set[str]:
        """Ids in a collection, including those of files that failed validation (so errors don't cascade)."""
        return self._ids.get(collection, set())

    def suggest(self, collection: str, wrong: str) -> str:
        valid = sorted(known for known in self.ids(collection) if re.match(ID_PATTERN, known))
        close = difflib.get_close_matches(wrong, valid, n=1)
        return f"did you mean '{close[0]}'? " if close else ""

    @staticmethod
    def problem(
        entry: Entry, loc: Loc, message: str, severity: Severity = Severity.error, *, key: bool = False
    ) -> Problem:
        return Problem(entry.path, entry.line(loc, key=key), message, severity)


def slug(name: str) -> str:
    """A valid id made from a name ('New-contrib claim' → 'new-contrib-claim'); empty when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80].rstrip("-")


def _checks() -> list[ModuleType]:
    from generator.kb.checks import (
        claim_support,
        composite_status,
        duplicate_ids,
        file_names,
        references,
        schema_modeline,
        stale_versions,
        staleness,
    )

    return [duplicate_ids, file_names, references, staleness, claim_support, schema_modeline, composite_status,
            stale_versions]


def run_checks(entries: list[Entry], *, today: dt.date) -> list[Problem]:
    ctx = CheckContext(entries, today)
    problems: list[Problem] = []
    for check in _checks():
        problems.extend(check.check(ctx))
    return problems


def describe_checks() -> list[tuple[str, str]]:
    """(name, description) of every check, for documentation."""
    return [(check.NAME, check.DESCRIPTION) for check in _checks()]
