"""Refresh the release facts in ``data/releases/*.yaml`` from PyPI's JSON API (``https://pypi.org/pypi/<name>/json``).

    python tools/refresh_versions.py [--data DATA] [--responses DIR] [--summary FILE]

Why a script and a schedule: release facts typed into prose go stale the day a new version ships (the knowledge
base called PyTorch 2.13 the latest after 2.14 was out). Here the package index is the authority: the latest version
is the one PyPI's ``info.version`` names (PyPI never gives a pre-release that role while a final one exists), its
date is the upload time of its first non-yanked file, in UTC. The scheduled workflow
(``.github/workflows/refresh-versions.yml``) runs this and opens a pull request when a file changed, so a person
still reviews every change, like any other data.

Only the three fields the index decides are rewritten, in place, so comments and the rest of the file stay as they
are. ``--responses DIR`` reads ``DIR/<package>.json`` instead of the network: the tests run it offline from recorded
answers. Exit status 1, with one line per problem (``path: what is wrong — how to fix it``), when an answer cannot
be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

PYPI_JSON = "https://pypi.org/pypi/{package}/json"
PYPI_PAGE = "https://pypi.org/project/{package}/{version}/"
USER_AGENT = "framework-atlas-refresh-versions (+https://github.com/framework-atlas/framework-atlas)"

Fetch = Callable[[str], dict]


class AnswerError(ValueError):
    """PyPI's answer for a package could not be read or lacks what we need."""


@dataclass(frozen=True)
class LatestRelease:
    version: str
    released: dt.date
    url: str


@dataclass(frozen=True)
class Change:
    path: str
    package: str
    old_version: str | None
    new: LatestRelease

    def line(self) -> str:
        was = f"{self.old_version} → " if self.old_version else ""
        return f"- `{self.package}`: {was}**{self.new.version}** (uploaded {self.new.released.isoformat()}), {self.new.url}"


def latest_release(package: str, answer: dict) -> LatestRelease:
    """The latest version PyPI names and the upload date of its first non-yanked file."""
    try:
        version = answer["info"]["version"]
        files = answer["releases"][version]
    except (KeyError, TypeError):
        raise AnswerError("the answer has no info.version or no releases entry for it") from None
    uploads = [item["upload_time_iso_8601"] for item in files if not item.get("yanked")]
    if not uploads:
        raise AnswerError(f"version {version} has no file that is not yanked")
    first = min(dt.datetime.fromisoformat(upload.replace("Z", "+00:00")) for upload in uploads)
    return LatestRelease(version, first.astimezone(dt.UTC).date(), PYPI_PAGE.format(package=package, version=version))


def fetch_from_pypi(package: str) -> dict:
    request = urllib.request.Request(PYPI_JSON.format(package=package), headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - a fixed https URL
        return json.load(response)


def recorded_responses(folder: Path) -> Fetch:
    """Answers recorded as ``<package>.json`` (the tests' offline stand-in for PyPI)."""

    def fetch(package: str) -> dict:
        return json.loads((folder / f"{package}.json").read_text(encoding="utf-8"))

    return fetch


def _set_field(text: str, name: str, value: str) -> str:
    """Replace one top-level ``name: value`` line, keeping everything else in the file as it was."""
    pattern = re.compile(rf"^{name}:.*$", re.MULTILINE)
    if not pattern.search(text):
        return text.rstrip("\n") + f"\n{name}: {value}\n"
    return pattern.sub(lambda _: f"{name}: {value}", text, count=1)


def refresh_file(path: Path, fetch: Fetch) -> Change | None:
    """Bring one release file up to date; the change made, or None when it was current."""
    text = path.read_text(encoding="utf-8")
    entry = yaml.safe_load(text) or {}
    package = entry.get("package")
    if not isinstance(package, str):
        raise AnswerError("the file names no 'package' (its project name on PyPI)")
    latest = latest_release(package, fetch(package))
    recorded = (str(entry.get("latest_version")), str(entry.get("released")), entry.get("url"))
    if recorded == (latest.version, latest.released.isoformat(), latest.url):
        return None
    for name, value in (("latest_version", f'"{latest.version}"'), ("released", latest.released.isoformat()),
                        ("url", latest.url)):
        text = _set_field(text, name, value)
    path.write_text(text, encoding="utf-8")
    return Change(str(path), package, entry.get("latest_version"), latest)


def refresh(data_dir: Path, fetch: Fetch) -> tuple[list[Change], list[str]]:
    """Every release file refreshed: the changes made and the problems met (one line each)."""
    changes, problems = [], []
    for path in sorted((data_dir / "releases").glob("*.yaml")):
        try:
            change = refresh_file(path, fetch)
        except AnswerError as error:
            problems.append(f"{path}: {error} — check the package name, or retry if PyPI answered oddly")
        except (OSError, urllib.error.URLError, json.JSONDecodeError) as error:
            problems.append(f"{path}: could not get PyPI's answer ({error}) — retry later; nothing was changed")
        else:
            if change is not None:
                changes.append(change)
    return changes, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--responses", type=Path, help="read <package>.json from here instead of PyPI")
    parser.add_argument("--summary", type=Path, help="write the changes as Markdown here (the pull request body)")
    args = parser.parse_args(argv)
    fetch = recorded_responses(args.responses) if args.responses else fetch_from_pypi
    changes, problems = refresh(args.data, fetch)
    for problem in problems:
        print(problem, file=sys.stderr)
    lines = [change.line() for change in changes]
    print("\n".join(lines) if lines else "every release file is current")
    if args.summary:
        body = ["New releases on PyPI, read from its JSON API:", "", *lines, "",
                "Check the prose that names these versions (`invoke validate` flags 'latest' claims that are now "
                "stale) before merging."]
        args.summary.write_text("\n".join(body) + "\n" if lines else "", encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
