"""Problems found in contributors' data or result files, reported one line each.

Shared by the knowledge-base validator and the result loader so every error reads the same way:
``path:line: what is wrong — how to fix it`` on a terminal, and a GitHub Actions annotation on the PR's line.

Under GitHub Actions, :func:`publish_to_github` is called once per step with every problem: GitHub shows at
most 10 error and 10 warning annotations per step, so in a pull request only problems in the files it changes
become annotations (the contributor's own lines, not ones already on main), each once; every problem goes to the
job summary as a table.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

ANNOTATIONS_SHOWN_PER_SEVERITY = 10  # GitHub's limit per step, for errors and for warnings
CHANGED_FILES_ENV = "ATLAS_CHANGED_FILES"  # a file listing a pull request's changed paths, one per line


class Severity(StrEnum):
    error = "error"
    warning = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str
    severity: Severity = Severity.error

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity is Severity.warning else ""
        return f"{where}: {prefix}{self.message}"

    def github_annotation(self) -> str:
        """The workflow command that puts this problem on the pull request's line."""
        line = f",line={self.line}" if self.line else ""
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity.value} file={self.path}{line}::{message}"


def relative(path: Path, root: Path | None = None) -> str:
    """A path as the contributor sees it: relative to the repository root when possible."""
    root = root or Path.cwd()
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def changed_files(environ: dict[str, str] | None = None) -> set[str] | None:
    """The paths a pull request changes, from the file ``$ATLAS_CHANGED_FILES`` names; None outside one."""
    listing = (os.environ if environ is None else environ).get(CHANGED_FILES_ENV, "")
    if not listing or not Path(listing).is_file():
        return None
    return {_normal(line) for line in Path(listing).read_text(encoding="utf-8").splitlines() if line.strip()}


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, by file and line (a line-less problem first), errors before warnings."""
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.severity is Severity.warning, p.message))


def _normal(path: str) -> str:
    return Path(path.strip()).as_posix().removeprefix("./")


def annotations(problems: Iterable[Problem], changed: set[str] | None) -> list[str]:
    """Workflow commands for the problems worth an annotation: unique, in changed files (when known), at most
    GitHub's limit per severity, followed by a notice when some were left for the summary."""
    unique = _unique(problems)
    wanted = [problem for problem in unique if changed is None or _normal(problem.path) in changed]
    lines, left = [], 0
    for severity in Severity:
        of_severity = [problem for problem in wanted if problem.severity is severity]
        lines += [problem.github_annotation() for problem in of_severity[:ANNOTATIONS_SHOWN_PER_SEVERITY]]
        left += max(0, len(of_severity) - ANNOTATIONS_SHOWN_PER_SEVERITY)
    outside = len(unique) - len(wanted)
    if left or outside:
        lines.append(f"::notice::{left + outside} more problem(s) are listed in the job summary "
                     f"({left} over GitHub's {ANNOTATIONS_SHOWN_PER_SEVERITY} per severity, {outside} in files "
                     "this pull request does not change)")
    return lines


def summary_table(problems: Iterable[Problem]) -> str:
    """Every problem as a Markdown table for ``$GITHUB_STEP_SUMMARY``; contributors' text is escaped, so it can
    neither break the table nor inject HTML."""
    unique = _unique(problems)
    if not unique:
        return "### Validation\n\nNo problems found.\n"

    def cell(text: str) -> str:
        return html.escape(" ".join(text.split())).replace("|", "&#124;")

    rows = [f"| {problem.severity.value} | `{cell(problem.path)}` | {problem.line or ''} | {cell(problem.message)} |"
            for problem in unique]
    return "\n".join([f"### Validation: {len(unique)} problem(s)", "", "| Severity | File | Line | Problem |",
                      "| --- | --- | --- | --- |", *rows, ""])


def publish_to_github(problems: list[Problem], out: TextIO, environ: dict[str, str] | None = None) -> None:
    """Under GitHub Actions: the annotations (see :func:`annotations`) and the job summary; elsewhere nothing."""
    environ = os.environ if environ is None else environ
    if environ.get("GITHUB_ACTIONS") != "true":
        return
    for line in annotations(problems, changed_files(environ)):
        print(line, file=out)
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as file:
            file.write(summary_table(problems))
