"""Load every ``data/<collection>/<id>.yaml`` into validated models, collecting *all* problems on the way.

One file holds one entry; its top level is a mapping of the fields of that collection's model
(:data:`generator.kb.models.COLLECTIONS`). Nothing here stops at the first problem or raises on bad input:
every file is read, every problem becomes a :class:`~generator.problems.Problem` with the line the YAML parser
gave, and the cross-file checks (:mod:`generator.kb.checks`) run over whatever could be read.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode

from generator.kb import yamlsource
from generator.kb.messages import describe
from generator.kb.models import COLLECTIONS, KnowledgeBase
from generator.problems import Problem, Severity, relative

# Folders under data/ that belong to other loaders (benchmark results are validated by generator.results.load).
OTHER_DATA = frozenset({"results"})
_IGNORED_NAMES = frozenset({"README.md", ".gitkeep", ".DS_Store"})
# The KnowledgeBase field for each collection folder ("use-cases" → "use_cases").
KB_FIELDS = {collection: collection.replace("-", "_") for collection in COLLECTIONS}


@dataclass
class Entry:
    """One data file, as far as it could be read. ``model`` is None when the file did not validate."""

    collection: str
    path: str  # relative to the repository root, as problems and edit links show it
    file: Path
    text: str | None = None
    data: dict[object, object] | None = None
    model: BaseModel | None = None

    @property
    def id(self) -> str | None:
        value = self.data.get("id") if self.data else None
        return value if isinstance(value, str) else None

    @cached_property
    def _root(self) -> Node | None:
        try:
            return yamlsource.compose(self.text) if self.text is not None else None
        except yamlsource.YamlError:
            return None

    def line(self, loc: yamlsource.Loc = (), *, key: bool = False) -> int | None:
        """Line of the value at ``loc`` (its key's line with ``key=True``); parsed again only when asked."""
        return yamlsource.locate(self._root, loc, key=key)


@dataclass
class LoadResult:
    kb: KnowledgeBase | None
    problems: list[Problem]
    origins: dict[tuple[str, str], str]
    entries: list[Entry] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.warning]


def sort_key(problem: Problem) -> tuple[str, int, bool, str]:
    """File, line, errors before warnings, message: the order problems are printed in."""
    return (problem.path, problem.line or 0, problem.severity is Severity.warning, problem.message)


def load_knowledge_base(data_dir: Path, *, today: dt.date | None = None) -> LoadResult:
    """Read, validate and cross-check the whole knowledge base under ``data_dir``."""
    from generator.kb.checks import run_checks  # the checks import Entry from here

    root = data_dir.resolve().parent
    problems: list[Problem] = []
    if not data_dir.is_dir():
        problems.append(
            Problem(str(data_dir), None, "data folder not found — Tip: run from the repository root")
        )
        return LoadResult(None, problems, {})

    entries: list[Entry] = []
    for collection, file, path in _data_files(data_dir, root, problems):
        entries.append(_load_entry(collection, file, path, problems))

    problems.extend(run_checks(entries, today=today or dt.date.today()))
    problems.sort(key=sort_key)

    origins: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.id is not None:
            origins.setdefault((entry.collection, entry.id), entry.path)

    kb = None
    if not any(problem.severity is Severity.error for problem in problems):
        lists: dict[str, list[BaseModel]] = {name: [] for name in KB_FIELDS.values()}
        for entry in entries:
            lists[KB_FIELDS[entry.collection]].append(entry.model)  # type: ignore[arg-type]
        kb = KnowledgeBase(**lists)  # the entries are validated already; pydantic does not revalidate them
    return LoadResult(kb, problems, origins, entries)


def _data_files(data_dir: Path, root: Path, problems: list[Problem]) -> list[tuple[str, Path, str]]:
    """(collection, file, path shown) of every ``<collection>/<name>.yaml``; anything else in data/ is reported.

    ``os.scandir`` rather than ``Path.iterdir`` + ``is_file``: a 100× knowledge base has tens of thousands of
    files, and the directory entries already say which are files without a ``stat`` each.
    """
    found: list[tuple[str, Path, str]] = []
    allowed = ", ".join(COLLECTIONS)
    shown = relative(data_dir, root)
    for child in sorted(os.scandir(data_dir), key=lambda item: item.name):
        if child.name in _IGNORED_NAMES or child.name in OTHER_DATA:
            continue
        where = f"{shown}/{child.name}"
        if not child.is_dir():
            problems.append(
                Problem(
                    where, 1, f"stray file in data/ — Tip: entries go in a collection folder: {allowed}"
                )
            )
            continue
        if child.name not in COLLECTIONS:
            problems.extend(_unknown_collection(child, where, allowed))
            continue
        for file in sorted(os.scandir(child.path), key=lambda item: item.name):
            if file.name in _IGNORED_NAMES:
                continue
            path = f"{where}/{file.name}"
            is_file = file.is_file()
            if is_file and file.name.endswith(".yaml"):
                found.append((child.name, Path(file.path), path))
            elif is_file and file.name.endswith(".yml"):
                problems.append(Problem(path, 1, f"wrong extension — Tip: rename it to {file.name[:-4]}.yaml"))
            else:
                kind = "file" if is_file else "folder"
                problems.append(
                    Problem(
                        path,
                        None,
                        f"stray {kind} in {child.name}/"
                        " — Tip: a collection folder holds only <id>.yaml files, one entry each",
                    )
                )
    return found


def _unknown_collection(folder: os.DirEntry, where: str, allowed: str) -> list[Problem]:
    """One problem per file in a folder that is no collection (on line 1, so editors and CI show it on the file)."""
    close = difflib.get_close_matches(folder.name, list(COLLECTIONS), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    message = f"unknown collection folder '{folder.name}' — Tip: {hint}use one of: {allowed}"
    files = sorted(
        item.name for item in os.scandir(folder.path) if item.is_file() and item.name not in _IGNORED_NAMES
    )
    if not files:
        return [Problem(where, None, message)]
    return [Problem(f"{where}/{name}", 1, message) for name in files]


def _load_entry(collection: str, file: Path, path: str, problems: list[Problem]) -> Entry:
    entry = Entry(collection, path, file)
    try:
        raw = file.read_bytes()
        problems.extend(
            Problem(entry.path, problem.line, problem.message) for problem in yamlsource.byte_problems(raw)
        )
        entry.text = yamlsource.decode(raw)
        node = yamlsource.compose(entry.text)
    except yamlsource.YamlError as exc:
        problems.append(Problem(entry.path, exc.problem.line, exc.problem.message))
        return entry
    except OSError as exc:
        problems.append(
            Problem(entry.path, None, f"cannot read the file: {exc.strerror} — Tip: check permissions")
        )
        return entry

    if node is None or (node.tag == "tag:yaml.org,2002:null" and isinstance(node, ScalarNode) and not node.value):
        problems.append(
            Problem(
                entry.path,
                1,
                f"the file is empty — Tip: write one {collection} entry as 'field: value' lines"
                f" (see schema/{collection}.schema.json), or delete the file",
            )
        )
        return entry
    if not isinstance(node, MappingNode):
        found = "a list" if node.id == "sequence" else f"the single value {str(node.value)[:40]!r}"
        problems.append(
            Problem(
                entry.path,
                node.start_mark.line + 1,
                f"the top level must be a mapping of fields ('id: ...', 'title: ...'), not {found}"
                " — Tip: one entry per file, its fields unindented",
            )
        )
        return entry
    entry.__dict__["_root"] = node  # already parsed: no need to parse again when a line is asked for

    yaml_problems: list[yamlsource.YamlProblem] = []
    data = yamlsource.build(node, yaml_problems)
    problems.extend(Problem(entry.path, problem.line, problem.message) for problem in yaml_problems)
    entry.data = data  # type: ignore[assignment]

    model = COLLECTIONS[collection]
    try:
        entry.model = model.model_validate(data)
        if not yaml_problems:
            del entry.__dict__["_root"]  # a clean file: free its nodes; a later check parses again if it must
    except ValidationError as exc:
        refused = [problem.loc for problem in yaml_problems if problem.loc is not None]
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            if any(loc[: len(place)] == place for place in refused):
                continue  # the placeholder of a value already reported above, not a second mistake
            if error["type"] == "missing":
                line = entry.line(loc[:-1], key=True)
            else:
                line = entry.line(loc, key=error["type"] == "extra_forbidden")
            problems.append(Problem(entry.path, line, describe(error, model, collection)))
    if yaml_problems:
        entry.model = None
    return entry
