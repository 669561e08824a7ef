"""The cross-file checks, each with a case that must be flagged and one that must not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.kb.checks import describe_checks
from generator.kb.checks.schema_modeline import expected_line
from generator.kb.loader import load_knowledge_base
from generator.problems import Problem, Severity

from .tiny_kb import edit, line_of


def problems_of(data_dir: Path) -> list[Problem]:
    return load_knowledge_base(data_dir).problems


def only(problems: list[Problem], severity: Severity = Severity.error) -> list[Problem]:
    return [problem for problem in problems if problem.severity is severity]


def test_the_valid_fixture_has_no_problem_at_all(kb_dir: Path) -> None:
    assert problems_of(kb_dir) == []


def test_every_check_has_a_name_and_a_description() -> None:
    checks = describe_checks()
    assert len({name for name, _ in checks}) == len(checks) >= 6
    assert all(description.endswith(".") for _, description in checks)


# --- duplicate ids ------------------------------------------------------------------------------------------


def test_duplicate_id_is_reported_in_both_files(kb_dir: Path) -> None:
    (kb_dir / "claims/copy.yaml").write_bytes((kb_dir / "claims/pytorch-is-pythonic.yaml").read_bytes())
    errors = [p for p in only(problems_of(kb_dir)) if "duplicate id" in p.message]
    assert {p.path for p in errors} == {"data/claims/copy.yaml", "data/claims/pytorch-is-pythonic.yaml"}
    assert all(p.line == 2 for p in errors)


def test_the_same_id_in_two_collections_is_fine(kb_dir: Path) -> None:
    # pros-cons/pytorch.yaml and frameworks/pytorch.yaml share the id "pytorch" in the fixture
    assert not any("duplicate id" in p.message for p in problems_of(kb_dir))


# --- file names ---------------------------------------------------------------------------------------------


def test_file_name_must_equal_the_id(kb_dir: Path) -> None:
    (kb_dir / "faq/which-is-faster.yaml").rename(kb_dir / "faq/speed.yaml")
    [error] = only(problems_of(kb_dir))
    assert error.path == "data/faq/speed.yaml" and error.line == 2
    assert "does not match the file name 'speed.yaml'" in error.message
    assert "rename the file to which-is-faster.yaml" in error.message


# --- references ---------------------------------------------------------------------------------------------

REFERENCES = [
    # (file, old, new, message part)
    ("aspects/debugging.yaml", "topic: ease-of-use", "topic: ease", "unknown topic 'ease' in 'topic'"),
    (
        "aspects/debugging.yaml",
        "claims: [pytorch-is-pythonic]",
        "claims: [nope]",
        "unknown claim 'nope' in 'claims[0]'",
    ),
    (
        "claims/pytorch-is-pythonic.yaml",
        "measured_by: [image-classification]",
        "measured_by: [image-class]",
        "unknown benchmark task 'image-class' in 'measured_by[0]'",
    ),
    (
        "pros-cons/pytorch.yaml",
        "framework: pytorch",
        "framework: torch",
        "unknown framework 'torch' in 'framework'",
    ),
    (
        "use-cases/research.yaml",
        "recommendation: [pytorch]",
        "recommendation: [jax]",
        "unknown framework 'jax' in 'recommendation[0]'",
    ),
    (
        "topics/ease-of-use.yaml",
        "  pytorch: Plain Python",
        "  torch: Plain Python",
        "unknown framework 'torch' used as a key of 'at_a_glance'",
    ),
    (
        "benchmarks/image-classification.yaml",
        "  pytorch: Faster",
        "  jax: Faster",
        "unknown framework 'jax' used as a key of 'article_says'",
    ),
    (
        "pros-cons/pytorch.yaml",
        "sources: [pytorch-docs]",
        "sources: [pytorch-doc]",
        "unknown source 'pytorch-doc' in 'pros[0].sources[0]'",
    ),
    (
        "frameworks/tensorflow.yaml",
        "  - tensorflow-docs",
        "  - tf-docs",
        "unknown source 'tf-docs' in 'sources[0]'",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"), REFERENCES, ids=[r[3].split(" in ")[0] for r in REFERENCES]
)
def test_unknown_reference_is_an_error_on_its_line(
    kb_dir: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(kb_dir, file, old, new)
    [error] = only(problems_of(kb_dir))
    assert error.path == f"data/{file}"
    assert error.line == line_of(kb_dir, file, new.strip())
    assert message in error.message and "— Tip:" in error.message


def test_a_new_framework_is_a_data_change(kb_dir: Path) -> None:
    """A third framework needs a file in frameworks/, and then any framework-keyed field may use it."""
    text = (kb_dir / "frameworks/pytorch.yaml").read_text()
    (kb_dir / "frameworks/jax.yaml").write_text(
        text.replace("id: pytorch", "id: jax").replace("name: PyTorch", "name: JAX")
    )
    edit(
        kb_dir,
        "topics/ease-of-use.yaml",
        "  pytorch: Plain Python",
        "  pytorch: Plain Python\n  jax: Functional",
    )
    edit(kb_dir, "use-cases/research.yaml", "recommendation: [pytorch]", "recommendation: [pytorch, jax]")
    assert only(problems_of(kb_dir)) == []


def test_a_broken_file_does_not_make_references_to_it_fail(kb_dir: Path) -> None:
    edit(kb_dir, "sources/pytorch-docs.yaml", "title: PyTorch documentation", "title: [unclosed")
    errors = only(problems_of(kb_dir))
    assert [error.path for error in errors] == ["data/sources/pytorch-docs.yaml"]


# --- staleness ----------------------------------------------------------------------------------------------


def _days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def _set_date(data_dir: Path, file: str, field: str, value: str) -> None:
    path = data_dir / file
    lines = path.read_text().split("\n")
    path.write_text(
        "\n".join(f"{field}: {value}" if line.startswith(f"{field}:") else line for line in lines)
    )


@pytest.mark.parametrize(
    ("file", "field"),
    [("faq/which-is-faster.yaml", "last_reviewed"), ("sources/pytorch-docs.yaml", "accessed")],
)
def test_stale_dates_are_warnings_not_errors(kb_dir: Path, file: str, field: str) -> None:
    _set_date(kb_dir, file, field, _days_ago(400))
    result = load_knowledge_base(kb_dir)
    [warning] = result.problems
    assert warning.severity is Severity.warning
    assert (warning.path, warning.line) == (f"data/{file}", line_of(kb_dir, file, f"{field}:"))
    assert f"{field} {_days_ago(400)} is 400 days old" in warning.message and "Tip:" in warning.message
    assert result.kb is not None  # warnings do not stop the build


def test_a_review_within_a_year_is_not_stale(kb_dir: Path) -> None:
    _set_date(kb_dir, "faq/which-is-faster.yaml", "last_reviewed", _days_ago(365))
    assert problems_of(kb_dir) == []


# --- claim support ------------------------------------------------------------------------------------------


def test_supported_claim_backed_only_by_an_article_is_a_warning(kb_dir: Path) -> None:
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "measured_by: [image-classification]\n", "")
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "  - pytorch-docs", "  - blog-article")
    [warning] = problems_of(kb_dir)
    assert warning.severity is Severity.warning
    assert warning.line == line_of(kb_dir, "claims/pytorch-is-pythonic.yaml", "status: supported")
    assert (
        "only by sources of kind 'article'" in warning.message
        and "Tip: cite a primary source" in warning.message
    )


def test_supported_pro_without_sources_is_a_warning(kb_dir: Path) -> None:
    edit(kb_dir, "pros-cons/pytorch.yaml", "    sources: [pytorch-docs]\n", "")
    [warning] = problems_of(kb_dir)
    assert warning.severity is Severity.warning and "cites no evidence" in warning.message
    assert warning.line == line_of(kb_dir, "pros-cons/pytorch.yaml", "status: supported")


def test_article_plus_primary_source_is_fine(kb_dir: Path) -> None:
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "measured_by: [image-classification]\n", "")
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "  - pytorch-docs", "  - pytorch-docs\n  - blog-article")
    assert problems_of(kb_dir) == []


def test_an_article_only_claim_that_is_not_supported_is_fine(kb_dir: Path) -> None:
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "  - pytorch-docs", "  - blog-article")
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "status: supported", "status: unverified")
    assert problems_of(kb_dir) == []


# --- schema line --------------------------------------------------------------------------------------------


def test_missing_schema_line_is_a_warning(kb_dir: Path) -> None:
    path = kb_dir / "trends/edge-deployment.yaml"
    path.write_text(path.read_text().split("\n", 1)[1])
    [warning] = problems_of(kb_dir)
    assert warning.severity is Severity.warning and (warning.path, warning.line) == (
        "data/trends/edge-deployment.yaml",
        1,
    )
    assert expected_line("trends") in warning.message


def test_schema_line_naming_another_collection_is_a_warning(kb_dir: Path) -> None:
    edit(kb_dir, "trends/edge-deployment.yaml", "trends.schema.json", "faq.schema.json")
    [warning] = problems_of(kb_dir)
    assert "names the wrong schema" in warning.message
