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
        ("YAML syntax error", "title", "Tip: a value containing ': ' must be quoted"),
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
    Case(
        "non-utf8-bytes",
        "sources/blog-article.yaml",
        lambda data_dir: _latin1(data_dir, "sources/blog-article.yaml"),
        "publisher: Example Blog",
        ("not valid UTF-8", "byte 0xe9", "Tip: save the file as UTF-8"),
    ),
]


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
