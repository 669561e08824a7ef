"""Problems found in contributors' data or result files, reported one line each.

Shared by the knowledge-base validator and the result loader so every error reads the same way:
``path:line: what is wrong — how to fix it`` on a terminal, and a GitHub Actions annotation on the PR's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


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
