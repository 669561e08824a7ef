"""Why a YAML text does not parse, said in a contributor's words: the line to look at and the fix.

PyYAML's messages ("did not find expected key while parsing a block mapping") describe the parser's state, often a
line or two after the mistake. Each common mistake gets its own explanation here.
"""

from __future__ import annotations

import re

import yaml

from generator.kb.yamlsource import YamlProblem


def syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
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
