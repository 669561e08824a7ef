"""Reading one YAML file into plain Python values, keeping the parser's line numbers.

Why not ``yaml.safe_load``: it silently keeps the last of two equal keys in a mapping, and it throws the positions
away. Here PyYAML only *composes* the node graph (in C where libyaml is available); the values are built from the
nodes by :func:`build`, which refuses duplicate keys, aliases, merge keys and unusual tags, and reports every such
problem with the line it is on. :func:`locate` walks the same nodes to find the line of any value by its path, so
schema and cross-file errors point at the offending line too.

Why YAML 1.2 values: PyYAML resolves plain scalars by YAML 1.1, where ``no``, ``yes``, ``on`` and ``off`` are
booleans, ``1_000`` and ``1:30`` are numbers and ``0o17`` is text. Contributors' editors (VS Code's YAML
extension) and check-jsonschema read YAML 1.2, where the first five are text and ``0o17`` is 15. The loaders here
resolve by the YAML 1.2 core schema (:data:`CORE_SCHEMA`), so the editor and ``invoke validate`` agree on every
value. The core schema has no timestamps either: a date is the text ``2024-05-01``, which the models parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # libyaml's parser is several times faster; pure Python is the fallback where it is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

Loc = tuple[str | int, ...]


_TAG = "tag:yaml.org,2002:"
_ALIAS_TAG = "!atlas/alias"  # what an alias is composed into: a placeholder node on the alias's own line
# How a plain scalar is typed: YAML 1.2 as check-jsonschema (ruamel.yaml) reads it, i.e. the core schema
# (https://yaml.org/spec/1.2.2/#1032-tag-resolution) plus ruamel's '_' digit separators and 0b binary, so that
# `invoke validate` and the check of the JSON Schema agree on every value. In the order tried:
# (tag, pattern, possible first characters). Timestamps are left as text, as check-jsonschema does.
CORE_SCHEMA: list[tuple[str, str, str]] = [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("float", r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", "-+0123456789."),
    ("int", r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", "-+0123456789"),
    # kept so that a merge key gets its own message instead of passing as a key "<<"
    ("merge", r"^(?:<<)$", "<"),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
]


def _use_core_schema(loader: type) -> type:
    loader.yaml_implicit_resolvers = {}
    for name, pattern, first in CORE_SCHEMA:
        first_characters = [*first, ""] if name == "null" else [*first]
        loader.add_implicit_resolver(_TAG + name, re.compile(pattern, re.VERBOSE), first_characters)
    return loader


@_use_core_schema
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


@_use_core_schema
class _AliasLoader(yaml.SafeLoader):
    """The pure-Python composer, for the rare file that may hold an alias (``*name``).

    PyYAML composes an alias into the anchored node itself, so its own line is lost; here it becomes a placeholder
    node on the alias's line, which :class:`_Builder` reports there (and nothing is expanded, so an alias bomb
    costs nothing).
    """

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            if event.anchor in self.anchors:
                self.get_event()
                return ScalarNode(_ALIAS_TAG, event.anchor, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


def _core_int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
        if digits.startswith(prefix):
            return sign * int(digits[2:] or "0", base)
    return sign * int(digits or "0", 10)  # "017" is seventeen in YAML 1.2, not octal


def _core_float(text: str) -> float:
    digits = text.replace("_", "").lower()
    if digits.lstrip("+-") in (".inf", ".nan"):
        return float(digits.replace(".", ""))
    return float(digits)


_CONSTRUCT: dict[str, object] = {
    _TAG + "null": lambda text: None,
    _TAG + "bool": lambda text: text.lower() == "true",
    _TAG + "int": _core_int,
    _TAG + "float": _core_float,
}
_KINDS = {"bool": "true/false", "int": "a number", "float": "a number", "NoneType": "null"}


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading YAML: 1-based line (None when it has none) and the full message."""

    line: int | None
    message: str
    loc: Loc | None = None  # the value it is about, when the problem replaced that value by a placeholder


class YamlError(Exception):
    """The file cannot be read as YAML at all; ``problem`` says where and why."""

    def __init__(self, problem: YamlProblem):
        super().__init__(problem.message)
        self.problem = problem


_BOM = b"\xef\xbb\xbf"


def byte_problems(raw: bytes) -> list[YamlProblem]:
    """A byte-order mark or Windows line ends: YAML reads past both, but they make noisy diffs, and some tools
    (a shell's ``head -1``, the schema line check) then see a different first line than the editor shows."""
    problems = []
    if raw.startswith(_BOM):
        problems.append(
            YamlProblem(
                1,
                "the file starts with a byte-order mark (BOM) — Tip: save it as UTF-8 without BOM"
                " (in VS Code: 'Save with Encoding' → UTF-8)",
            )
        )
    crlf = raw.find(b"\r\n")
    if crlf >= 0:
        line = raw.count(b"\n", 0, crlf) + 1
        problems.append(
            YamlProblem(
                line,
                f"Windows line ends (CRLF) from line {line} on — Tip: save the file with LF line ends"
                " (in VS Code: click 'CRLF' in the status bar and pick LF; `git add --renormalize .` fixes"
                " files already committed)",
            )
        )
    return problems


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
        # An alias needs a '*'; only then is the slower composer that keeps aliases' own lines needed.
        return yaml.compose(text, Loader=_AliasLoader if "*" in text else _Loader)
    except yaml.MarkedYAMLError as exc:
        from generator.kb.yamlsyntax import syntax_problem  # only a broken file needs it

        raise YamlError(syntax_problem(exc, text)) from None
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


def build(node: Node, problems: list[YamlProblem]) -> object:
    """Plain Python values from a node graph; every refused construct is appended to ``problems``.

    A refused value (an alias, an unknown tag) is reported once, with its ``loc``, so the loader can leave out the
    schema's knock-on complaints about the placeholder it became.
    """
    return _Builder(problems).value(node, ())


class _Builder:
    def __init__(self, problems: list[YamlProblem]):
        self.problems = problems

    def refuse(self, node: Node, loc: Loc, message: str) -> None:
        self.problems.append(YamlProblem(node.start_mark.line + 1, message, loc))

    def value(self, node: Node, loc: Loc) -> object:
        if isinstance(node, ScalarNode):
            return self.scalar(node, loc)
        if isinstance(node, SequenceNode):
            self.check_tag(node, _TAG + "seq", loc)
            return [self.value(item, (*loc, index)) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, loc)
        return None  # pragma: no cover - the composer makes no other nodes

    def check_tag(self, node: Node, expected: str, loc: Loc) -> None:
        if node.tag != expected:
            self.refuse(node, loc, f"YAML tag {node.tag} is not supported — Tip: remove the tag")

    def scalar(self, node: ScalarNode, loc: Loc) -> object:
        if node.tag == _TAG + "str":
            return node.value
        construct = _CONSTRUCT.get(node.tag)
        if construct is not None:
            return construct(node.value)  # type: ignore[operator]
        if node.tag == _ALIAS_TAG:
            message = (
                f"alias *{node.value} (a copy of the value anchored as &{node.value}) is not used in this"
                " knowledge base — Tip: write the value out in full here and remove the &-anchor"
            )
        elif node.tag == _TAG + "merge":
            message = "merge keys (<<) are not used in this knowledge base — Tip: write the fields out in full"
        else:
            message = f"YAML tag {node.tag} is not supported — Tip: remove the tag (plain text needs none)"
        self.refuse(node, loc, message)
        return None

    def mapping(self, node: MappingNode, loc: Loc) -> dict[object, object]:
        self.check_tag(node, _TAG + "map", loc)
        result: dict[object, object] = {}
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if isinstance(key_node, ScalarNode) and key_node.tag in (_ALIAS_TAG, _TAG + "merge"):
                self.scalar(key_node, loc)  # says what a merge key or an alias is; its value is not read
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    YamlProblem(line, "a mapping key must be plain text — Tip: use a simple name")
                )
                continue
            key = self.scalar(key_node, loc)
            if not isinstance(key, str):
                # `1:`, `true:` or `null:` as a key: YAML reads it as a number, boolean or null
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
            result[key] = self.value(value_node, (*loc, key))
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

