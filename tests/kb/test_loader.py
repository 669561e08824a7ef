"""Loading: the valid fixture loads whole; values are read the way the schema says; every problem is reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.kb.loader import load_knowledge_base
from generator.kb.models import ClaimStatus, SourceKind
from generator.kb.validate import main
from generator.problems import Problem

from .tiny_kb import VALID_FILES, edit, line_of

REPO = Path(__file__).resolve().parents[2]


def errors_of(data_dir: Path) -> list[Problem]:
    return load_knowledge_base(data_dir).errors


def test_valid_fixture_loads_into_a_knowledge_base(kb_dir: Path) -> None:
    result = load_knowledge_base(kb_dir)
    assert result.problems == []
    kb = result.kb
    assert kb is not None
    assert len(kb.sources) == 3 and len(kb.frameworks) == 2 and len(kb.use_cases) == 1
    assert {source.kind for source in kb.sources} == {SourceKind.official_docs, SourceKind.article}
    assert kb.claims[0].status is ClaimStatus.supported  # enums come from YAML strings
    assert result.origins[("use-cases", "research")] == "data/use-cases/research.yaml"
    assert len(result.origins) == len(VALID_FILES)


def test_quoted_and_unquoted_dates_mean_the_same_day(kb_dir: Path) -> None:
    edit(kb_dir, "frameworks/pytorch.yaml", "first_release: 2016-09-01", 'first_release: "2016-09-01"')
    kb = load_knowledge_base(kb_dir).kb
    assert kb is not None
    assert {framework.id: framework.first_release for framework in kb.frameworks}[
        "pytorch"
    ].isoformat() == "2016-09-01"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2016-09-01 10:00:00", "expected a date written as YYYY-MM-DD"),  # YAML 1.2 has no timestamps: text
        ("1472688000", "expected a date written as YYYY-MM-DD"),
        ("2016-02-30", "is not a calendar date"),
        ('"2016-02-30"', "is not a calendar date"),
        ('"1 Sep 2016"', "expected a date written as YYYY-MM-DD"),
    ],
)
def test_anything_but_a_calendar_date_is_refused(kb_dir: Path, value: str, message: str) -> None:
    edit(kb_dir, "frameworks/pytorch.yaml", "first_release: 2016-09-01", f"first_release: {value}")
    [error] = errors_of(kb_dir)
    assert error.line == line_of(kb_dir, "frameworks/pytorch.yaml", "first_release:")
    assert message in error.message


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "trends/edge-deployment.yaml",
            "from_article: true",
            'from_article: "true"',
            "must be true or false",
        ),
        ("trends/edge-deployment.yaml", "from_article: true", "from_article: 1", "must be true or false"),
        ("topics/ease-of-use.yaml", "order: 1", "order: 1.0", "must be a whole number"),
        ("topics/ease-of-use.yaml", "order: 1", "order: true", "must be a whole number"),
        (
            "faq/which-is-faster.yaml",
            "question: Which is faster?",
            "question: 2024",
            "put the value in quotes",
        ),
        (
            "faq/which-is-faster.yaml",
            "question: Which is faster?",
            "question: true",
            "must be text, not the boolean",
        ),
        (
            "faq/which-is-faster.yaml",
            "question: Which is faster?",
            "question:",
            "write the text after the colon",
        ),
        ("faq/which-is-faster.yaml", "question: Which is faster?", 'question: "  "', "'question' is empty"),
        ("faq/which-is-faster.yaml", "id: which-is-faster", "id: Which Is Faster", "not a valid id"),
        ("faq/which-is-faster.yaml", "sources: [pytorch-docs]", "sources: pytorch-docs", "must be a list"),
        ("faq/which-is-faster.yaml", "sources: [pytorch-docs]", "sources: []", "needs at least 1 item"),
        ("faq/which-is-faster.yaml", "order: 1", "order: -1", "must be at least 0"),
        (
            "aspects/debugging.yaml",
            '    code: "import pdb; pdb.set_trace()"',
            "    cod: x",
            "unknown field 'per_framework.pytorch.cod'",
        ),
        (
            "sources/pytorch-docs.yaml",
            "url: https://pytorch.org/docs/stable/index.html",
            "url: HTTPS://PYTORCH.ORG",
            "must start with",
        ),
        (
            "sources/pytorch-docs.yaml",
            "url: https://pytorch.org/docs/stable/index.html",
            "url: https://localhost/x",
            "well-formed",
        ),
    ],
)
def test_values_are_not_coerced_across_types(
    kb_dir: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(kb_dir, file, old, new)
    [error] = errors_of(kb_dir)
    assert error.path == f"data/{file}" and error.line == line_of(kb_dir, file, new.strip())
    assert message in error.message, error.message


def test_missing_field_in_a_nested_mapping_points_at_its_key(kb_dir: Path) -> None:
    edit(kb_dir, "aspects/debugging.yaml", "    summary: Eager; use pdb anywhere.\n", "")
    [error] = errors_of(kb_dir)
    assert "missing required field 'per_framework.pytorch.summary'" in error.message
    lines = (kb_dir / "aspects/debugging.yaml").read_text().split("\n")
    assert lines[error.line - 1] == "  pytorch:"


def test_all_problems_of_all_files_in_one_run(kb_dir: Path) -> None:
    edit(kb_dir, "topics/ease-of-use.yaml", "category: ease-of-use", "category: easy")
    edit(kb_dir, "topics/ease-of-use.yaml", "order: 1", "order: first")
    edit(kb_dir, "faq/which-is-faster.yaml", "question: Which is faster?", "question: [Which is faster?")
    edit(
        kb_dir, "use-cases/research.yaml", "title: Research\n", "title: Research\ntitle: Again\ncolour: red\n"
    )
    errors = errors_of(kb_dir)
    assert [(error.path, error.line) for error in errors] == [
        # the unclosed [ is reported on the line that opened it, not where the parser noticed
        ("data/faq/which-is-faster.yaml", line_of(kb_dir, "faq/which-is-faster.yaml", "question: [")),
        ("data/topics/ease-of-use.yaml", 4),
        ("data/topics/ease-of-use.yaml", 5),
        ("data/use-cases/research.yaml", 4),
        ("data/use-cases/research.yaml", 5),
    ]


def test_aliases_merge_keys_tags_and_several_documents_are_refused(kb_dir: Path) -> None:
    edit(kb_dir, "frameworks/pytorch.yaml", "name: PyTorch", "name: &n PyTorch\ndeveloper_alias: *n")
    edit(kb_dir, "frameworks/tensorflow.yaml", "license: Apache-2.0", "license: !!binary QXBhY2hl")
    (kb_dir / "faq/which-is-faster.yaml").write_text(
        (kb_dir / "faq/which-is-faster.yaml").read_text() + "---\nid: x\n"
    )
    messages = [error.message for error in errors_of(kb_dir)]
    assert any("alias *n" in message and "write the value out in full" in message for message in messages)
    assert any("YAML tag tag:yaml.org,2002:binary is not supported" in message for message in messages)
    assert any("a second YAML document after the '---'" in message for message in messages)


def test_stray_files_and_unknown_folders_are_errors(kb_dir: Path) -> None:
    (kb_dir / "notes.txt").write_text("todo")
    (kb_dir / "tutorials").mkdir()
    (kb_dir / "faq/which-is-slower.yml").write_text("id: which-is-slower\n")
    (kb_dir / "faq/draft.md").write_text("# draft")
    (kb_dir / "results/cpu").mkdir(parents=True)  # benchmark results: another loader's business
    (kb_dir / "results/cpu/run.json").write_text("{}")
    (kb_dir / "faq/README.md").write_text("FAQ entries")
    errors = errors_of(kb_dir)
    assert [(error.path, error.message.split(" — ")[0]) for error in errors] == [
        ("data/faq/draft.md", "stray file in faq/"),
        ("data/faq/which-is-slower.yml", "wrong extension"),
        ("data/notes.txt", "stray file in data/"),
        ("data/tutorials", "unknown collection folder 'tutorials'"),
    ]
    assert "use one of: sources, frameworks" in errors[-1].message


def test_missing_data_folder(tmp_path: Path, capsys) -> None:
    assert main(["--data", str(tmp_path / "nowhere")]) == 1
    assert "data folder not found" in capsys.readouterr().out


def test_warnings_alone_exit_zero(kb_dir: Path, capsys) -> None:
    edit(kb_dir, "faq/which-is-faster.yaml", "yaml-language-server", "yaml-language-servr")
    assert main(["--data", str(kb_dir)]) == 0
    out = capsys.readouterr().out
    assert "data/faq/which-is-faster.yaml:1: warning: " in out
    assert out.splitlines()[-1] == "OK: 13 files checked, 0 errors, 1 warning"


def test_github_annotations_under_actions(kb_dir: Path, capsys, monkeypatch) -> None:
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "status: supported", "status: proven")
    edit(kb_dir, "faq/which-is-faster.yaml", "yaml-language-server", "yaml-language-servr")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["--data", str(kb_dir)]) == 1
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    assert annotations[0].startswith(
        "::error file=data/claims/pytorch-is-pythonic.yaml,line=5::'status' has the value"
    )
    assert annotations[1].startswith("::warning file=data/faq/which-is-faster.yaml,line=1::the file")
    assert len(annotations) == 2


def test_no_annotations_outside_actions(kb_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "status: supported", "status: proven")
    main(["--data", str(kb_dir)])
    assert "::error" not in capsys.readouterr().out


def test_runs_as_a_module_without_traceback(kb_dir: Path) -> None:
    (kb_dir / "faq/which-is-faster.yaml").write_bytes(b"\xff\xfe broken")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "generator.kb.validate", "--data", str(kb_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=kb_dir.parent,
        check=False,
    )
    assert done.returncode == 1
    assert "data/faq/which-is-faster.yaml:1: the file is not valid UTF-8: byte 0xff" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_keys_that_yaml_reads_as_booleans_or_numbers_are_refused(kb_dir: Path) -> None:
    edit(kb_dir, "topics/ease-of-use.yaml", "  pytorch: Plain Python", "  pytorch: Plain Python\n  true: yes\n  1: one")
    errors = errors_of(kb_dir)
    assert [(error.line, error.message.split(" — ")[0]) for error in errors] == [
        (line_of(kb_dir, "topics/ease-of-use.yaml", "true: yes"), "the key 'true' is read as true/false, not as text"),
        (line_of(kb_dir, "topics/ease-of-use.yaml", "1: one"), "the key '1' is read as a number, not as text"),
    ]


def test_control_characters_are_reported_on_their_line(kb_dir: Path) -> None:
    edit(kb_dir, "faq/which-is-faster.yaml", "question: Which is faster?", "question: Which\x07 is faster?")
    [error] = errors_of(kb_dir)
    assert error.line == line_of(kb_dir, "faq/which-is-faster.yaml", "question:")
    assert "control character U+0007" in error.message and "\n" not in error.message


def test_a_byte_order_mark_is_refused_with_a_fix(kb_dir: Path) -> None:
    path = kb_dir / "faq/which-is-faster.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    [error] = load_knowledge_base(kb_dir).problems
    assert (error.path, error.line) == ("data/faq/which-is-faster.yaml", 1)
    assert "byte-order mark" in error.message and "Tip: save it as UTF-8 without BOM" in error.message


def test_an_alias_is_reported_on_its_own_line_and_nothing_else_follows_from_it(kb_dir: Path) -> None:
    edit(kb_dir, "aspects/debugging.yaml", "  tensorflow:\n", "  tensorflow: &tf\n")
    edit(
        kb_dir,
        "aspects/debugging.yaml",
        '  pytorch:\n    summary: Eager; use pdb anywhere.\n    code: "import pdb; pdb.set_trace()"\n',
        "  pytorch: *tf\n",
    )
    [error] = errors_of(kb_dir)  # no knock-on "must be a mapping" about the placeholder the alias became
    assert error.line == line_of(kb_dir, "aspects/debugging.yaml", "pytorch: *tf")
    assert "alias *tf" in error.message and "Tip: write the value out in full here" in error.message


def test_an_alias_bomb_costs_nothing(kb_dir: Path) -> None:
    bomb = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))
    (kb_dir / "faq/bomb.yaml").write_text("l0: &l0 x\n" + bomb)
    errors = [error for error in errors_of(kb_dir) if error.path == "data/faq/bomb.yaml"]
    assert errors and all(error.line is not None for error in errors)
