"""Reading one YAML file into plain Python values, keeping the parser's line numbers.

Why not ``yaml.safe_load``: it silently keeps the last of two equal keys in a mapping, and it throws the positions
away. Here PyYAML only *composes* the node graph (in C where libyaml is available); the values are built from the
nodes by :func:`build`, which refuses duplicate keys, aliases, merge keys and unusual tags, and reports every such
problem with the line it is on. :func:`locate` walks the same nodes to find the line of any value by its path, so
schema and cross-file errors point at the offending line too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # libyaml's parser is several times faster; pure Python is the fallback where it is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

Loc = tuple[str | int, ...]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The C composer with a memo on tag resolution, which otherwise runs regexes in Python for every scalar.

    Keys and short values ("id", "status", "supported", dates) repeat across thousands of files; long texts
    are not memoised. Valid because this loader adds no path-dependent resolvers.
    """

    _memo: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode or not isinstance(value, str) or len(value) > 40:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._memo.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._memo) < 100_000:
                self._memo[key] = tag
        return tag


_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_constructor = SafeConstructor()
_KINDS = {"bool": "true/false", "int": "a number", "float": "a number", "date": "a date", "NoneType": "null"}


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading YAML: 1-based line (None when it has none) and the full message."""

    line: int | None
    message: str


class YamlError(Exception):
    """The file cannot be read as YAML at all; ``problem`` says where and why."""

    def __init__(self, problem: YamlProblem):
        super().__init__(problem.message)
        self.problem = problem


def decode(raw: bytes) -> str:
    """UTF-8 text of a file (a leading byte-order mark is allowed), or YamlError naming the bad byte's place."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise YamlError(
            YamlProblem(
                line,
                f"the file is not valid UTF-8: byte 0x{bad} at line {line}, column {column}"
                f" (byte offset {exc.start})"
                " — Tip: save the file as UTF-8 (in VS Code: 'Save with Encoding' → UTF-8)",
            )
        ) from None


def compose(text: str) -> Node | None:
    """The node graph of a single-document YAML text (None when the file holds no document)."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_syntax_problem(exc, text)) from None
    except yaml.reader.ReaderError as exc:  # a control character; it carries a position, not a line
        line = text.count("\n", 0, exc.position) + 1
        character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        raise YamlError(
            YamlProblem(
                line,
                f"control character U+{character:04X} on line {line} is not allowed in YAML"
                " — Tip: delete it (such characters are often pasted in invisibly)",
            )
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other YAML error carries a mark
        raise YamlError(YamlProblem(None, "YAML error: " + " ".join(str(exc).split()))) from None


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    lines = text.splitlines()
    # A tab used for indentation surfaces as "found character '\t' that cannot start any token", often a line or
    # two away from the tab itself; name the real cause.
    tab_lines = [number for number, content in enumerate(lines, 1) if "\t" in _indent(content)]
    if "'\\t'" in str(exc) or (line is not None and line in tab_lines):
        where = line if line in tab_lines or not tab_lines else _nearest(tab_lines, line)
        return YamlProblem(
            where, "tabs cannot indent YAML — use spaces (Tip: set your editor to insert spaces)"
        )
    if "expected a single document" in f"{exc.problem} {exc.context}":
        return YamlProblem(
            line, "the file holds more than one YAML document ('---') — Tip: one entry per file"
        )
    problem = exc.problem or "syntax error"
    context = f" ({exc.context})" if exc.context else ""
    content = lines[line - 1].strip() if line and line <= len(lines) else ""
    at = f" in '{content[:60]}'" if content else ""
    hint = _syntax_hint(problem, line, lines)
    return YamlProblem(line, f"YAML syntax error{at}: {problem}{context} — Tip: {hint}")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _nearest(candidates: list[int], line: int | None) -> int:
    return min(candidates, key=lambda candidate: abs(candidate - (line or 0)))


def _syntax_hint(problem: str, line: int | None, lines: list[str]) -> str:
    content = lines[line - 1] if line and line <= len(lines) else ""
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. title: \"Speed: a comparison\""
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one above (same level = same number of spaces)"
    if "found unexpected end of stream" in problem or "found unexpected end" in problem:
        return "a quote or bracket is not closed"
    if re.match(r"\s*[\[{]", content):
        return "check that every [ and { is closed"
    return "check quoting and indentation on this line and the one before it"


def build(node: Node, problems: list[YamlProblem]) -> object:
    """Plain Python values from a node graph; every refused construct is appended to ``problems``."""
    return _Builder(problems).value(node)


class _Builder:
    def __init__(self, problems: list[YamlProblem]):
        self.problems = problems
        self.seen: set[int] = set()

    def value(self, node: Node) -> object:
        if id(node) in self.seen:  # the composer hands back the anchored node itself for every alias
            self.problems.append(
                YamlProblem(
                    node.start_mark.line + 1,
                    "anchors and aliases (&name / *name) are not used in this knowledge base"
                    " — Tip: write the value out in full",
                )
            )
            return None
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            self.check_tag(node, _TAG + "seq")
            return [self.value(item) for item in node.value]
        if isinstance(node, MappingNode):
            return self.mapping(node)
        return None  # pragma: no cover - the composer makes no other nodes

    def check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            self.problems.append(
                YamlProblem(
                    node.start_mark.line + 1, f"YAML tag {node.tag} is not supported — Tip: remove the tag"
                )
            )

    def scalar(self, node: ScalarNode) -> object:
        if node.tag == _TAG + "str":
            return node.value
        if node.tag not in _SCALAR_TAGS:
            if node.tag == _TAG + "merge":
                message = (
                    "merge keys (<<) are not used in this knowledge base — Tip: write the fields out in full"
                )
            else:
                message = (
                    f"YAML tag {node.tag} is not supported — Tip: remove the tag (plain text needs none)"
                )
            self.problems.append(YamlProblem(node.start_mark.line + 1, message))
            return node.value
        try:
            return _constructor.yaml_constructors[node.tag](_constructor, node)
        except (ValueError, ConstructorError, OverflowError):
            # e.g. 2024-02-30 looks like a date and is not one: keep the text; the schema says what is wrong
            return node.value

    def mapping(self, node: MappingNode) -> dict[object, object]:
        self.check_tag(node, _TAG + "map")
        result: dict[object, object] = {}
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    YamlProblem(line, "a mapping key must be plain text — Tip: use a simple name")
                )
                continue
            key = self.scalar(key_node)
            if not isinstance(key, str):
                # `on:`, `yes:`, `1:` or a date as a key: YAML reads it as a boolean, number or date
                self.problems.append(
                    YamlProblem(
                        line,
                        f"the key {key_node.value!r} is read as {_KINDS.get(type(key).__name__, 'a value')},"
                        " not as text"
                        f' — Tip: put it in quotes: "{key_node.value}":',
                    )
                )
                continue
            if key in first_line:
                self.problems.append(
                    YamlProblem(
                        line,
                        f"duplicate key '{key}': already set on line {first_line[key]}"
                        f" — Tip: keep one '{key}:' and delete the other"
                        " (YAML would silently keep only the last)",
                    )
                )
                continue
            first_line[key] = line
            result[key] = self.value(value_node)
        return result


def locate(root: Node | None, loc: Loc, *, key: bool = False) -> int | None:
    """The 1-based line of the value at ``loc`` (of its key, with ``key=True``), or of the nearest ancestor found.

    ``loc`` is a pydantic error location: field names and list indexes; a ``"[key]"`` part (pydantic's marker
    for an error in a mapping's key) points at the key itself.
    """
    if root is None:
        return None
    node: Node = root
    line = key_line = root.start_mark.line + 1
    for part in loc:
        if part == "[key]":
            return key_line
        if isinstance(node, MappingNode):
            pair = next((pair for pair in node.value if _is_key(pair[0], part)), None)
            if pair is None:
                return line
            key_line = pair[0].start_mark.line + 1
            node = pair[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            key_line = node.start_mark.line + 1
        else:
            return line
        line = node.start_mark.line + 1
    return key_line if key else line


def _is_key(node: Node, part: str | int) -> bool:
    return isinstance(node, ScalarNode) and node.value == str(part)

