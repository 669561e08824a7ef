"""Why a YAML text does not parse, said in a contributor's words: the line to look at and the fix.

PyYAML's messages ("did not find expected key while parsing a block mapping") describe the parser's state, often a
line or two after the mistake. Each common mistake gets its own explanation here, with a fix written from the
contributor's own line where one can be (the value quoted, the indentation to use), so the tip can be copied.
Anything not recognised keeps PyYAML's words, with the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from generator.kb.yamlsource import YamlProblem

# A value PyYAML cannot start a plain scalar with: `@` and backquote are reserved, `%` starts a directive,
# `*`/`&` an alias or anchor, `|`/`>` a block scalar.
_RESERVED_START = "@`%*&|>"
_KEY_VALUE = re.compile(r"^(?P<indent>\s*(?:- )?)(?P<key>[^\s#'\"][^:#]*?):[ ]+(?P<value>\S.*?)\s*$")


@dataclass(frozen=True)
class _Failure:
    """The parser's complaint with its two places: where it gave up, and the construct it was reading."""

    problem: str
    context: str
    line: int | None  # where the parser gave up (1-based)
    column: int
    context_line: int | None  # where the construct it was reading began
    context_column: int
    lines: list[str]

    def text(self, number: int | None) -> str:
        return self.lines[number - 1] if number and 0 < number <= len(self.lines) else ""

    def previous_content_line(self, number: int) -> int | None:
        """The nearest line above ``number`` that holds more than a comment."""
        for candidate in range(number - 1, 0, -1):
            stripped = self.text(candidate).strip()
            if stripped and not stripped.startswith("#"):
                return candidate
        return None


def syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    lines = text.splitlines()
    # A tab used for indentation surfaces as "found character '\t' that cannot start any token", often a line or
    # two away from the tab itself; name the real cause.
    mark, context_mark = exc.problem_mark, exc.context_mark
    line = (mark or context_mark).line + 1 if (mark or context_mark) else None
    tab_lines = [number for number, content in enumerate(lines, 1) if "\t" in _indent(content)]
    if "'\\t'" in str(exc) or (line is not None and line in tab_lines):
        where = line if line in tab_lines or not tab_lines else _nearest(tab_lines, line)
        return YamlProblem(where, "tabs cannot indent YAML — use spaces (Tip: set your editor to insert spaces)")
    failure = _Failure(
        problem=exc.problem or "syntax error",
        context=exc.context or "",
        line=line,
        column=mark.column if mark else 0,
        context_line=context_mark.line + 1 if context_mark else None,
        context_column=context_mark.column if context_mark else 0,
        lines=lines,
    )
    for explain in _EXPLANATIONS:
        found = explain(failure)
        if found is not None:
            return YamlProblem(*found)
    content = failure.text(line).strip()
    at = f" in '{content[:60]}'" if content else ""
    context = f" ({failure.context})" if failure.context else ""
    return YamlProblem(
        line,
        f"YAML syntax error{at}: {failure.problem}{context}"
        " — Tip: check quoting and indentation on this line and the one before it",
    )


def _several_documents(failure: _Failure) -> tuple[int | None, str] | None:
    if "expected a single document" not in f"{failure.problem} {failure.context}":
        return None
    rest = [line.strip() for line in failure.lines[failure.line or 0 :]]
    if all(not line or line.startswith("#") for line in rest):
        return failure.line, (
            f"the '---' on line {failure.line} starts a second, empty YAML document"
            f" — Tip: delete line {failure.line} (a file holds one entry; '---' may only open it)"
        )
    return failure.line, (
        f"the file holds a second YAML document after the '---' on line {failure.line}"
        f" — Tip: one entry per file: move what follows line {failure.line} into a file of its own"
    )


def _unclosed(failure: _Failure) -> tuple[int | None, str] | None:
    """An open quote or bracket: PyYAML notices at the end of the file or on the next line; name where it opened."""
    opened = failure.context_line
    if "quoted scalar" in failure.context and "end of stream" in failure.problem:
        quote = failure.text(opened)[failure.context_column : failure.context_column + 1] or '"'
        return opened, f"the quote {quote} opened on line {opened} is never closed — Tip: end the text with {quote}"
    flows = (("flow sequence", "[", "]", "'- ' item"), ("flow mapping", "{", "}", "'name: value'"))
    for kind, opening, closing, one_per_line in flows:
        if kind in failure.context and failure.problem.startswith("did not find expected ','"):
            return opened, (
                f"the {opening} opened on line {opened} is not closed — Tip: close it with {closing} on the same"
                f" line (or write one {one_per_line} per line instead)"
            )
    return None


def _reserved_start(failure: _Failure) -> tuple[int | None, str] | None:
    """``title: @pytorch`` / ``title: *really* fast``: a value that starts with a character YAML reserves."""
    match = _KEY_VALUE.match(failure.text(failure.line))
    if match is None:
        return None
    value = match["value"]
    first = value[:1]
    starts_reserved = first in _RESERVED_START and (
        "cannot start any token" in failure.problem
        or "alias" in failure.context
        or "anchor" in failure.context
        or "block scalar" in failure.context
    )
    # `title: 'Ease' of use`: the quoted part ends before the value does
    starts_quoted = (
        first in "'\"" and "expected key" in failure.problem and value.count(first) >= 2 and not value.endswith(first)
    )
    if not (starts_reserved or starts_quoted):
        return None
    why = (
        f"a value cannot start with '{first}' unquoted (YAML reserves it)"
        if starts_reserved
        else "a value that starts with a quote must end with it"
    )
    return failure.line, f"{why} — Tip: quote the whole value: {_quoted(match)}"


def _colon_in_value(failure: _Failure) -> tuple[int | None, str] | None:
    if "mapping values are not allowed" not in failure.problem:
        return None
    line = failure.line or 0
    current = failure.text(line)
    above = failure.previous_content_line(line)
    above_text = failure.text(above)
    above_match = _KEY_VALUE.match(above_text) if above else None
    if above_match and len(_indent(current)) > len(_indent(above_text)) and above_match["value"][:1] not in "|>":
        return line, (
            f"line {line} is indented more than line {above}, so YAML reads it as the rest of line {above}'s value"
            f" — Tip: indent it like line {above} ({len(_indent(above_text))} spaces)"
        )
    match = _KEY_VALUE.match(current)
    if match is not None:
        return line, f"a value containing ': ' must be quoted — Tip: write it as {_quoted(match)}"
    return line, "a value containing ': ' must be quoted — Tip: put the text after the first ': ' in double quotes"


def _indentation(failure: _Failure) -> tuple[int | None, str] | None:
    """A line whose indentation matches no mapping above it, or a list item among 'key: value' lines."""
    if "block mapping" not in failure.context or "expected key" not in failure.problem:
        return None
    line = failure.line or 0
    current = failure.text(line)
    if current.lstrip().startswith("- ") and failure.column == failure.context_column:
        return line, (
            f"line {line} is a list item ('- ') among 'key: value' lines"
            " — Tip: remove the '- ' (the lines around it are fields of one mapping, written 'name: value')"
        )
    above = failure.previous_content_line(line)
    if above is None:
        return None
    mapping_indent = failure.context_column
    return line, (
        f"line {line} is indented by {len(_indent(current))} spaces, which lines up with no field above it"
        f" (line {above} uses {len(_indent(failure.text(above)))}, the mapping from line {failure.context_line}"
        f" uses {mapping_indent})"
        " — Tip: give the fields of one mapping the same indentation, two spaces deeper than their key"
    )


def _missing_colon(failure: _Failure) -> tuple[int | None, str] | None:
    if "could not find expected ':'" not in failure.problem or failure.context_line is None:
        return None
    line = failure.context_line
    return line, (
        f"line {line} has no ': ' (a colon and a space) after its field name"
        " — Tip: write 'name: value', or indent the line if it continues the text above"
    )


def _list_then_mapping(failure: _Failure) -> tuple[int | None, str] | None:
    if "'-' indicator" not in failure.problem:
        return None
    return failure.line, (
        "list items ('- ') and 'name: value' lines are mixed at the same indentation"
        " — Tip: an entry's fields are 'name: value' lines without '- '; list items go indented under their field"
    )


def _backslash_escape(failure: _Failure) -> tuple[int | None, str] | None:
    if "quoted scalar" not in failure.context or not ("escape" in failure.problem or "hexdecimal" in failure.problem):
        return None
    match = _KEY_VALUE.match(failure.text(failure.line))
    value = match["value"] if match else ""
    single = (
        f"{match['key'].strip()}: '{value[1:-1]}'" if match and value[:1] == value[-1:] == '"' and "'" not in value
        else "'C:\\path'"
    )
    return failure.line, (
        "inside double quotes a backslash starts an escape sequence (\\n, \\t, \\u…), and this one is not valid"
        f" — Tip: use single quotes, in which a backslash is just a backslash: {single}"
    )


def _block_scalar_header(failure: _Failure) -> tuple[int | None, str] | None:
    if "block scalar" not in failure.context:
        return None
    return failure.line, (
        "after '|' or '>' the text must start on the next line"
        " — Tip: put the text on the following lines, indented two spaces deeper, or quote it on this line"
    )


_EXPLANATIONS: list[Callable[[_Failure], tuple[int | None, str] | None]] = [
    _several_documents,
    _unclosed,
    _reserved_start,
    _colon_in_value,
    _indentation,
    _missing_colon,
    _list_then_mapping,
    _backslash_escape,
    _block_scalar_header,
]


def _quoted(match: re.Match[str]) -> str:
    """The contributor's own line with its value in quotes, ready to paste."""
    value = match["value"]
    if '"' in value and "'" not in value:
        quoted = "'" + value + "'"
    else:
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{match['indent'].lstrip()}{match['key'].strip()}: {quoted}"


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _nearest(candidates: list[int], line: int | None) -> int:
    return min(candidates, key=lambda candidate: abs(candidate - (line or 0)))
