"""GitHub annotations that help (issue 12): in a pull request only problems in the files it changes become
annotations, each printed once per step, within GitHub's 10 per severity; every problem goes to the job summary."""

from __future__ import annotations

import io
from pathlib import Path

from generator.problems import (
    ANNOTATIONS_SHOWN_PER_SEVERITY,
    Problem,
    Severity,
    annotations,
    changed_files,
    publish_to_github,
    summary_table,
)

CHANGED = "data/claims/new-claim.yaml"
ON_MAIN = "data/claims/old-claim.yaml"


def problem(path: str = CHANGED, line: int | None = 3, message: str = "'status' is unknown — use supported",
            severity: Severity = Severity.error) -> Problem:
    return Problem(path, line, message, severity)


def actions_env(tmp_path: Path, changed: list[str] | None) -> dict[str, str]:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    if changed is not None:
        (tmp_path / "changed.txt").write_text("\n".join(changed) + "\n")
        env["ATLAS_CHANGED_FILES"] = str(tmp_path / "changed.txt")
    return env


def test_in_a_pull_request_only_changed_files_become_annotations():
    lines = annotations([problem(), problem(ON_MAIN)], changed={CHANGED})
    assert [line for line in lines if line.startswith("::error")] == [problem().github_annotation()]
    assert lines[-1].startswith("::notice::1 more problem(s)") and "does not change" in lines[-1]


def test_each_problem_is_annotated_once_even_when_reported_twice():
    lines = annotations([problem(), problem(), problem(line=None)], changed=None)
    assert len(lines) == 2 and len(set(lines)) == 2


def test_no_more_than_github_shows_per_severity_and_the_rest_is_counted():
    many = [problem(line=n) for n in range(1, 15)] + [problem(line=n, severity=Severity.warning) for n in range(1, 4)]
    lines = annotations(many, changed=None)
    assert sum(line.startswith("::error") for line in lines) == ANNOTATIONS_SHOWN_PER_SEVERITY
    assert sum(line.startswith("::warning") for line in lines) == 3
    assert lines[-1].startswith("::notice::4 more problem(s)")


def test_changed_files_come_from_the_listing_and_are_normalised(tmp_path):
    env = actions_env(tmp_path, ["./data/claims/new-claim.yaml", "", "README.md"])
    assert changed_files(env) == {CHANGED, "README.md"}
    assert changed_files({"GITHUB_ACTIONS": "true"}) is None  # not a pull request: every file counts


def test_the_summary_lists_every_problem_and_escapes_contributors_text(tmp_path):
    hostile = problem(ON_MAIN, message="<script>alert(1)</script> | broken\ntable")
    env = actions_env(tmp_path, [CHANGED])
    out = io.StringIO()
    publish_to_github([problem(), hostile], out, env)
    summary = (tmp_path / "summary.md").read_text()
    assert CHANGED in summary and ON_MAIN in summary  # the full list, changed or not
    assert "<script>" not in summary and "&lt;script&gt;" in summary
    assert all(row.count(" | ") == 3 for row in summary.splitlines() if row.startswith("| error"))
    assert out.getvalue().count("::error") == 1


def test_nothing_is_published_outside_actions(tmp_path):
    out = io.StringIO()
    publish_to_github([problem()], out, {"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
    assert out.getvalue() == "" and not (tmp_path / "summary.md").exists()


def test_a_clean_run_says_so_in_the_summary():
    assert "No problems found" in summary_table([])


def test_validate_annotates_once_and_the_build_adds_none(kb_dir: Path, tmp_path, monkeypatch, capsys):
    """The old build step printed every annotation a second time; now only `atlas validate` publishes."""
    from generator import cli
    from generator.site.build import load_context
    from tests.kb.tiny_kb import edit

    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "status: supported", "status: proven")
    results = tmp_path / "results"
    results.mkdir()
    for name, value in actions_env(tmp_path, None).items():
        monkeypatch.setenv(name, value)
    assert cli.main(["validate", "--data", str(kb_dir), "--results", str(results)]) == 1
    assert sum(line.startswith("::error") for line in capsys.readouterr().out.splitlines()) == 1
    assert "pytorch-is-pythonic.yaml" in (tmp_path / "summary.md").read_text()

    out = io.StringIO()
    assert load_context(kb_dir, results, out=out) is None
    assert "pytorch-is-pythonic.yaml" in out.getvalue() and "::" not in out.getvalue()
