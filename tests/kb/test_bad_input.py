"""One case per kind of bad input the issue lists: exit code 1, a ``path:line:`` message naming the field and
the fix, and no traceback. Each case breaks exactly one thing in an otherwise valid tiny knowledge base."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.kb.validate import main

from .tiny_kb import edit, line_of


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # relative to data/
    breaks: Callable[[Path], None]
    line_with: str | None  # a text on the offending line, found after breaking (None: line 1 / no line)
    expect: tuple[str, ...]  # texts the message must contain: the field and the fix


def _write(relative: str, content: bytes) -> Callable[[Path], None]:
    def breaks(data_dir: Path) -> None:
        path = data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    return breaks


def _edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda data_dir: edit(data_dir, relative, old, new)


CASES = [
    Case(
        "yaml-syntax-error",
        "sources/pytorch-docs.yaml",
        _edit("sources/pytorch-docs.yaml", "title: PyTorch documentation", "title: PyTorch: documentation"),
        "title: PyTorch: documentation",
        ("a value containing ': ' must be quoted", 'Tip: write it as title: "PyTorch: documentation"'),
    ),
    Case(
        "tab-indentation",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "  pytorch: Plain Python", "\tpytorch: Plain Python"),
        "\tpytorch: Plain Python",
        ("tabs cannot indent YAML — use spaces",),
    ),
    Case(
        "duplicate-key",
        "frameworks/pytorch.yaml",
        _edit("frameworks/pytorch.yaml", "license: BSD-3-Clause\n", "license: BSD-3-Clause\nname: Torch\n"),
        "name: Torch",
        ("duplicate key 'name'", "already set on line 3", "Tip: keep one 'name:'"),
    ),
    Case(
        "unknown-field",
        "frameworks/pytorch.yaml",
        _edit("frameworks/pytorch.yaml", "license: BSD-3-Clause\n", "license: BSD-3-Clause\nlicence: MIT\n"),
        "licence: MIT",
        ("unknown field 'licence'", "Tip: did you mean 'license'?"),
    ),
    Case(
        "missing-required-field",
        "aspects/debugging.yaml",
        _edit("aspects/debugging.yaml", "verdict: Both debug well in eager mode.\n", ""),
        "id: debugging",
        ("missing required field 'verdict'", "Tip: add 'verdict:'"),
    ),
    Case(
        "wrong-type",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "order: 1", 'order: "first"'),
        'order: "first"',
        ("'order' must be a whole number", "Tip: write the number without quotes"),
    ),
    Case(
        "bad-enum-value",
        "claims/pytorch-is-pythonic.yaml",
        _edit("claims/pytorch-is-pythonic.yaml", "status: supported", "status: proven"),
        "status: proven",
        ("'status'", "'proven'", "Tip: use one of: supported, disputed, contradicted, outdated, unverified"),
    ),
    Case(
        "javascript-url",
        "sources/pytorch-docs.yaml",
        _edit(
            "sources/pytorch-docs.yaml",
            "url: https://pytorch.org/docs/stable/index.html",
            "url: javascript:alert(1)",
        ),
        "url: javascript:alert(1)",
        ("'url'", "must start with https:// or http://", "Tip: link the web page itself"),
    ),
    Case(
        "data-url",
        "frameworks/tensorflow.yaml",
        _edit(
            "frameworks/tensorflow.yaml",
            "homepage: https://www.tensorflow.org",
            "homepage: data:text/html,hi",
        ),
        "homepage: data:text/html,hi",
        ("'homepage'", "must start with https:// or http://", "Tip:"),
    ),
    Case(
        "future-date",
        "faq/which-is-faster.yaml",
        lambda data_dir: _future(data_dir),
        "last_reviewed: 2999-01-01",
        ("'last_reviewed'", "2999-01-01 is in the future", "Tip:"),
    ),
    Case(
        "duplicate-id-across-files",
        "sources/pytorch-docs-again.yaml",
        lambda data_dir: _copy(data_dir, "sources/pytorch-docs.yaml", "sources/pytorch-docs-again.yaml"),
        "id: pytorch-docs",
        ("duplicate id 'pytorch-docs'", "also used by data/sources/pytorch-docs.yaml:2", "Tip:"),
    ),
    Case(
        "unknown-source",
        "aspects/debugging.yaml",
        _edit(
            "aspects/debugging.yaml",
            "sources: [pytorch-docs, tensorflow-docs]",
            "sources: [pytorch-docs, tf-docs]",
        ),
        "sources: [pytorch-docs, tf-docs]",
        ("unknown source 'tf-docs' in 'sources[1]'", "Tip:", "data/sources/tf-docs.yaml"),
    ),
    Case(
        "unknown-framework",
        "aspects/debugging.yaml",
        _edit("aspects/debugging.yaml", "  tensorflow:\n    summary:", "  tensorflw:\n    summary:"),
        "  tensorflw:",
        ("unknown framework 'tensorflw'", "'per_framework'", "Tip: did you mean 'tensorflow'?"),
    ),
    Case(
        "empty-file",
        "faq/empty.yaml",
        _write("faq/empty.yaml", b""),
        None,
        ("the file is empty", "Tip: write one faq entry"),
    ),
    Case(
        "top-level-not-a-mapping",
        "trends/listed.yaml",
        _write("trends/listed.yaml", b"- id: listed\n- title: A list, not an entry\n"),
        "- id: listed",
        ("the top level must be a mapping of fields", "not a list", "Tip: one entry per file"),
    ),
    # -- what contributors also get wrong (issue 13): each with the line and a fix that is itself correct --------
    Case(
        "claim-status-without-evidence",
        "claims/pytorch-is-pythonic.yaml",
        lambda data_dir: _strip_evidence(data_dir, "status: supported"),
        "status: supported",
        ("status is 'supported' but the entry cites no evidence", "Tip: add 'sources: [<source id>]'",
         "measured_by", "or set the status to 'unverified'"),
    ),
    Case(
        "outdated-claim-without-evidence",
        "claims/pytorch-is-pythonic.yaml",
        lambda data_dir: _strip_evidence(data_dir, "status: outdated"),
        "status: outdated",
        ("status is 'outdated' but the entry cites no evidence", "Tip: add 'sources: [<source id>]'"),
    ),
    Case(
        "alias-on-its-own-line",
        "frameworks/pytorch.yaml",
        lambda data_dir: _alias(data_dir),
        "developer: *name",
        ("alias *name", "Tip: write the value out in full here"),
    ),
    Case(
        "text-too-long-for-a-claim",
        "claims/pytorch-is-pythonic.yaml",
        _edit("claims/pytorch-is-pythonic.yaml", "evidence: The docs show", "evidence: " + "x" * 4500 + " The docs"),
        "evidence: xxx",
        ("'evidence' is too long", "at most 4000", "Tip: shorten it; link the details through a source"),
    ),
    Case(
        "short-text-too-long",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "title: Ease of use", "title: " + "Ease of use " * 30),
        "title: Ease of use Ease",
        ("'title' is too long", "at most 300", "Tip: shorten it; longer prose belongs in 'summary'"),
    ),
    Case(
        "empty-required-text",
        "claims/pytorch-is-pythonic.yaml",
        _edit("claims/pytorch-is-pythonic.yaml", "quote: PyTorch feels more Pythonic.", 'quote: ""'),
        'quote: ""',
        ("'quote' is empty", "Tip: write the text; the field is required"),
    ),
    Case(
        "duplicate-id-in-a-badly-named-copy",
        "claims/New-contrib-claim.yaml",
        lambda data_dir: _copy(data_dir, "claims/pytorch-is-pythonic.yaml", "claims/New-contrib-claim.yaml"),
        "id: pytorch-is-pythonic",
        ("duplicate id 'pytorch-is-pythonic'", "Tip:", "give this entry the id 'new-contrib-claim'",
         "name its file new-contrib-claim.yaml"),
    ),
    Case(
        "windows-line-ends",
        "faq/which-is-faster.yaml",
        lambda data_dir: _replace_bytes(data_dir, "faq/which-is-faster.yaml", b"\n", b"\r\n"),
        None,
        ("Windows line ends (CRLF)", "Tip: save the file with LF line ends"),
    ),
    Case(
        "byte-order-mark",
        "faq/which-is-faster.yaml",
        lambda data_dir: _replace_bytes(data_dir, "faq/which-is-faster.yaml", b"# yaml", b"\xef\xbb\xbf# yaml"),
        None,
        ("byte-order mark (BOM)", "Tip: save it as UTF-8 without BOM"),
    ),
    Case(
        "trailing-document-marker",
        "faq/which-is-faster.yaml",
        lambda data_dir: _append(data_dir, "faq/which-is-faster.yaml", "---\n"),
        "---",
        ("starts a second, empty YAML document", "Tip: delete line"),
    ),
    Case(
        "key-indented-under-a-value",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "\norder: 1", "\n  order: 1"),
        "  order: 1",
        ("indented more than line", "so YAML reads it as the rest of line", "Tip: indent it like line", "(0 spaces)"),
    ),
    Case(
        "nested-field-misaligned",
        "aspects/debugging.yaml",
        _edit("aspects/debugging.yaml", "    summary: Eager; use pdb", "     summary: Eager; use pdb"),
        "    code:",
        ("lines up with no field above it", "Tip: give the fields of one mapping the same indentation"),
    ),
    Case(
        "list-where-a-mapping-is-expected",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "  pytorch: Plain Python", "  - pytorch: Plain Python"),
        "  - pytorch: Plain Python",
        ("is a list item ('- ') among 'key: value' lines", "Tip: remove the '- '"),
    ),
    Case(
        "whole-mapping-written-as-a-list",
        "topics/ease-of-use.yaml",
        lambda data_dir: _dash_every_line(data_dir, "topics/ease-of-use.yaml", "at_a_glance:"),
        "  - tensorflow: Keras",
        ("'at_a_glance' must be a mapping", "not a list", "Tip: remove the '- '"),
    ),
    Case(
        "date-that-is-not-a-date",
        "frameworks/pytorch.yaml",
        _edit("frameworks/pytorch.yaml", "first_release: 2016-09-01", "first_release: 2016-13-45"),
        "first_release: 2016-13-45",
        ("'first_release'", "2016-13-45 is not a calendar date", "Tip: write dates as YYYY-MM-DD"),
    ),
    Case(
        "date-in-words",
        "frameworks/pytorch.yaml",
        _edit("frameworks/pytorch.yaml", "first_release: 2016-09-01", "first_release: September 2016"),
        "first_release: September 2016",
        ("'first_release'", "expected a date written as YYYY-MM-DD", "Tip: write dates as YYYY-MM-DD"),
    ),
    Case(
        "number-where-text-is-expected",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "title: Ease of use", "title: 2.0"),
        "title: 2.0",
        ("'title' must be text, not the number 2.0", 'Tip: put the value in quotes to make it text: title: "2.0"'),
    ),
    Case(
        "text-where-a-list-is-expected",
        "aspects/debugging.yaml",
        _edit("aspects/debugging.yaml", "sources: [pytorch-docs, tensorflow-docs]", "sources: pytorch-docs"),
        "sources: pytorch-docs",
        ("'sources' must be a list", "Tip: write each item on its own line starting with '- '"),
    ),
    Case(
        "unknown-collection-folder",
        "faqs/which-is-slower.yaml",
        _write("faqs/which-is-slower.yaml", b"id: which-is-slower\n"),
        None,
        ("unknown collection folder 'faqs'", "Tip: did you mean 'faq'?"),
    ),
    Case(
        "unknown-topic-reference",
        "aspects/debugging.yaml",
        _edit("aspects/debugging.yaml", "topic: ease-of-use", "topic: ease-of-uses"),
        "topic: ease-of-uses",
        ("unknown topic 'ease-of-uses' in 'topic'", "Tip: did you mean 'ease-of-use'?"),
    ),
    Case(
        "invalid-id-gets-a-valid-example",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "id: ease-of-use", "id: Ease-of-use"),
        "id: Ease-of-use",
        ("not a valid id", "e.g. 'ease-of-use'"),
    ),
    Case(
        "colon-in-a-title",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "title: Ease of use", "title: Ease of use: a primer"),
        "title: Ease of use: a primer",
        ("a value containing ': ' must be quoted", 'Tip: write it as title: "Ease of use: a primer"'),
    ),
    Case(
        "value-starting-with-a-reserved-character",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "title: Ease of use", "title: @pytorch on ease"),
        "title: @pytorch on ease",
        ("cannot start with '@'", 'Tip: quote the whole value: title: "@pytorch on ease"'),
    ),
    Case(
        "quoted-start-of-a-value",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "title: Ease of use", "title: 'Ease' of use"),
        "title: 'Ease' of use",
        ("a value that starts with a quote must end with it", "Tip: quote the whole value: title: \"'Ease' of use\""),
    ),
    Case(
        "unclosed-quote",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "title: Ease of use", 'title: "Ease of use'),
        'title: "Ease of use',
        ('the quote " opened on line', "is never closed", 'Tip: end the text with "'),
    ),
    Case(
        "unclosed-bracket",
        "aspects/debugging.yaml",
        _edit("aspects/debugging.yaml", "sources: [pytorch-docs, tensorflow-docs]", "sources: [pytorch-docs"),
        "sources: [pytorch-docs",
        ("the [ opened on line", "is not closed", "Tip: close it with ]"),
    ),
    Case(
        "backslash-in-double-quotes",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "title: Ease of use", 'title: "C:\\Users\\ease"'),
        'title: "C:',
        ("a backslash starts an escape sequence", "Tip: use single quotes", "title: 'C:\\Users\\ease'"),
    ),
    Case(
        "field-name-without-colon",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "\norder: 1", "\norder 1"),
        "order 1",
        ("has no ': ' (a colon and a space) after its field name", "Tip: write 'name: value'"),
    ),
    Case(
        "dash-without-space",
        "frameworks/tensorflow.yaml",
        _edit("frameworks/tensorflow.yaml", "  - tensorflow-docs", "  -tensorflow-docs"),
        "  -tensorflow-docs",
        ("'sources' must be a list", "Tip: put a space after the '-': - tensorflow-docs"),
    ),
    Case(
        "two-list-items-on-one-line",
        "frameworks/tensorflow.yaml",
        _edit("frameworks/tensorflow.yaml", "  - tensorflow-docs", "- tensorflow-docs\n  - pytorch-docs"),
        "- tensorflow-docs",
        ("not a valid id", "Tip: two list items ran together"),
    ),
    Case(
        "a-second-entry-in-the-file",
        "faq/which-is-faster.yaml",
        lambda data_dir: _append(data_dir, "faq/which-is-faster.yaml", "---\nid: which-is-slower\n"),
        "---",
        ("a second YAML document after the '---'", "Tip: one entry per file"),
    ),
    Case(
        "yml-extension",
        "faq/which-is-slower.yml",
        _write("faq/which-is-slower.yml", b"id: which-is-slower\n"),
        None,
        ("wrong extension", "Tip: rename it to which-is-slower.yaml"),
    ),
    Case(
        "colon-without-space",
        "topics/ease-of-use.yaml",
        _edit("topics/ease-of-use.yaml", "\norder: 1", "\norder:1"),
        "order:1",
        ("has no ': ' (a colon and a space) after its field name", "Tip: write 'name: value'"),
    ),
    Case(
        "only-a-document-marker",
        "faq/draft.yaml",
        _write("faq/draft.yaml", b"---\n"),
        None,
        ("the file is empty", "Tip: write one faq entry"),
    ),
    Case(
        "url-with-a-space",
        "sources/pytorch-docs.yaml",
        _edit("sources/pytorch-docs.yaml", "stable/index.html", "stable/index .html"),
        "url: https://pytorch.org",
        ("'url'", "not a well-formed web address", "Tip: copy the address from the browser's address bar"),
    ),
    Case(
        "non-utf8-bytes",
        "sources/blog-article.yaml",
        lambda data_dir: _latin1(data_dir, "sources/blog-article.yaml"),
        "publisher: Example Blog",
        ("not valid UTF-8", "byte 0xe9", "Tip: save the file as UTF-8"),
    ),
]


def _strip_evidence(data_dir: Path, status: str) -> None:
    edit(data_dir, "claims/pytorch-is-pythonic.yaml", "measured_by: [image-classification]\n", "")
    edit(data_dir, "claims/pytorch-is-pythonic.yaml", "sources:\n  - pytorch-docs\n", "")
    edit(data_dir, "claims/pytorch-is-pythonic.yaml", "status: supported", status)


def _alias(data_dir: Path) -> None:
    edit(data_dir, "frameworks/pytorch.yaml", "name: PyTorch", "name: &name PyTorch")
    edit(data_dir, "frameworks/pytorch.yaml", "developer: Meta AI, now the PyTorch Foundation", "developer: *name")


def _replace_bytes(data_dir: Path, relative: str, old: bytes, new: bytes) -> None:
    path = data_dir / relative
    path.write_bytes(path.read_bytes().replace(old, new))


def _append(data_dir: Path, relative: str, text: str) -> None:
    path = data_dir / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _dash_every_line(data_dir: Path, relative: str, key: str) -> None:
    """Write every field under ``key`` as a list item: `- tensorflow: ...` instead of `tensorflow: ...`."""
    path = data_dir / relative
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(key) + 1
    end = start
    while end < len(lines) and lines[end].startswith("  "):
        lines[end] = "  - " + lines[end][2:]
        end += 1
    path.write_text("\n".join(lines), encoding="utf-8")


def _future(data_dir: Path) -> None:
    text = (data_dir / "faq/which-is-faster.yaml").read_text()
    lines = [
        ("last_reviewed: 2999-01-01" if line.startswith("last_reviewed:") else line)
        for line in text.split("\n")
    ]
    (data_dir / "faq/which-is-faster.yaml").write_text("\n".join(lines))


def _copy(data_dir: Path, source: str, target: str) -> None:
    (data_dir / target).write_bytes((data_dir / source).read_bytes())


def _latin1(data_dir: Path, relative: str) -> None:
    path = data_dir / relative
    path.write_bytes(
        path.read_bytes().replace(
            b"publisher: Example Blog", "publisher: Example Blog café".encode("latin-1")
        )
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_reported_with_its_line_and_fix(case: Case, kb_dir: Path, capsys) -> None:
    case.breaks(kb_dir)
    if case.line_with is None:
        line = 1
    else:
        raw = (kb_dir / case.file).read_bytes().decode("utf-8", errors="replace")
        line = next(number for number, text in enumerate(raw.split("\n"), 1) if case.line_with in text)

    code = main(["--data", str(kb_dir)])
    out = capsys.readouterr()

    assert code == 1
    assert "Traceback" not in out.out + out.err
    prefix = f"data/{case.file}:{line}: "
    matching = [text for text in out.out.splitlines() if text.startswith(prefix)]
    assert matching, f"no message starting with {prefix!r} in:\n{out.out}"
    assert any(all(expected in text for expected in case.expect) for text in matching), (
        f"no message on {prefix!r} contains all of {case.expect}:\n" + "\n".join(matching)
    )
    assert out.out.rstrip().splitlines()[-1].startswith("FAILED:")


def test_every_bad_input_kind_of_the_issue_has_a_case() -> None:
    kinds = {
        "yaml-syntax-error", "tab-indentation", "duplicate-key", "unknown-field", "missing-required-field",
        "wrong-type", "bad-enum-value", "javascript-url", "future-date", "duplicate-id-across-files",
        "unknown-source", "unknown-framework", "empty-file", "top-level-not-a-mapping", "non-utf8-bytes",
    }  # fmt: skip
    assert kinds <= {case.name for case in CASES}


def test_line_helper_agrees_with_fixture(kb_dir: Path) -> None:
    assert line_of(kb_dir, "frameworks/pytorch.yaml", "name: PyTorch") == 3
