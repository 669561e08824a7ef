"""The GPU workflow's shell logic (``tools/gpu_bench_pr.py``), run against a local git remote and a fake ``gh``,
since no GPU runner exists here (issue 12): consecutive runs with a new framework version both produce results
and pull requests, a same-day rerun pushes, the label is created, nothing is pushed without valid results."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.bench.runner import SuiteRunner
from tests.bench.fake_runs import FakeRuns, config, host

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "gpu_bench_pr.py"
spec = importlib.util.spec_from_file_location("gpu_bench_pr", SCRIPT)
gpu_bench_pr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gpu_bench_pr)

FAKE_GH = """#!/bin/sh
printf '%s' "$*" | tr '\\n' ' ' >> "$GH_LOG"  # one line per call, multi-line bodies included
printf '\\n' >> "$GH_LOG"
case "$1 $2" in
  "pr create") echo "https://github.invalid/atlas/pull/$(wc -l < "$GH_LOG")" ;;
esac
"""
MORNING = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A clone of a bare 'origin' whose main has one recorded result, with a fake gh on PATH; cwd is the clone."""
    origin, clone, bin_dir = tmp_path / "origin.git", tmp_path / "clone", tmp_path / "bin"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    (clone / "data" / "results").mkdir(parents=True)
    (clone / "README.md").write_text("atlas\n")
    for args in (("add", "."), ("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"),
                 ("push", "-q", "origin", "HEAD:main")):
        git(clone, *args)
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("GH_LOG", str(tmp_path / "gh.log"))
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "1")
    monkeypatch.chdir(clone)
    return clone


def gh_calls(repo: Path) -> list[str]:
    log = repo.parent / "gh.log"
    return log.read_text().splitlines() if log.exists() else []


def remote_branches(repo: Path) -> list[str]:
    out = git(repo, "ls-remote", "--heads", "origin")
    return sorted(line.split("refs/heads/")[1] for line in out.splitlines() if "bench-results/" in line)


def open_pr(*extra: str, validate: str = "true", now: dt.datetime = MORNING) -> int:
    return gpu_bench_pr.main(["--validate-command", validate, *extra], now=now)


def bench(repo: Path, runs: FakeRuns) -> None:
    SuiteRunner(repo / "data" / "results", host()).run([config(1), config(8)], resume=True)


def merge_into_main(repo: Path, branch: str) -> None:
    """What a maintainer's merge does: main gets the branch; the next scheduled run starts from it."""
    git(repo, "switch", "--quiet", "main")
    git(repo, "pull", "--quiet", "--ff-only", "origin", branch)
    git(repo, "push", "--quiet", "origin", "main")


def test_two_runs_with_a_new_framework_version_each_open_a_pull_request_with_new_results(repo, monkeypatch, capsys):
    runs = FakeRuns(monkeypatch, "2.13.0")
    bench(repo, runs)
    assert open_pr() == 0
    [first] = remote_branches(repo)
    merge_into_main(repo, first)

    runs.version = "2.14.0"  # the next week: a framework release
    bench(repo, runs)
    assert runs.ran == [1, 8, 1, 8]  # --resume did not skip the new version's runs
    assert open_pr(now=MORNING + dt.timedelta(days=7)) == 0
    branches = remote_branches(repo)
    assert len(branches) == 2
    second = next(b for b in branches if b != first)
    added = git(repo, "diff", "--name-only", f"origin/{first}", f"origin/{second}").split()
    assert len(added) == 2 and all(".2-14-0." in name for name in added)
    assert sum(call.startswith("pr create") for call in gh_calls(repo)) == 2


def test_a_same_day_rerun_pushes_to_its_own_branch(repo, monkeypatch):
    runs = FakeRuns(monkeypatch, "2.13.0")
    bench(repo, runs)
    assert open_pr() == 0
    git(repo, "switch", "--quiet", "main")  # the first pull request is still open, not merged
    runs.version = "2.13.1"
    bench(repo, runs)
    assert open_pr() == 0  # same second, same run id: the branch name still may not collide
    first, second = remote_branches(repo)
    assert second == f"{first}-2"


def test_a_rerun_with_nothing_new_opens_nothing_and_succeeds(repo, monkeypatch, capsys):
    runs = FakeRuns(monkeypatch, "2.13.0")
    bench(repo, runs)
    assert open_pr() == 0
    merge_into_main(repo, remote_branches(repo)[0])
    bench(repo, runs)  # same versions, same machine: --resume skips all
    assert open_pr() == 0
    assert "nothing to open" in capsys.readouterr().out and len(remote_branches(repo)) == 1


def test_the_label_is_created_before_the_pull_request_uses_it(repo, monkeypatch):
    bench(repo, FakeRuns(monkeypatch, "2.13.0"))
    assert open_pr("--label", "benchmark-results") == 0
    calls = gh_calls(repo)
    label = next(i for i, call in enumerate(calls) if call.startswith("label create benchmark-results"))
    pr = next(i for i, call in enumerate(calls) if call.startswith("pr create"))
    assert label < pr and "--force" in calls[label] and "--label benchmark-results" in calls[pr]


def test_without_a_pr_token_the_validation_workflow_is_dispatched_on_the_branch(repo, monkeypatch):
    bench(repo, FakeRuns(monkeypatch, "2.13.0"))
    assert open_pr() == 0
    [branch] = remote_branches(repo)
    assert f"workflow run pr.yml --ref {branch}" in gh_calls(repo)


def test_with_a_pr_token_the_pull_request_triggers_validation_itself(repo, monkeypatch):
    bench(repo, FakeRuns(monkeypatch, "2.13.0"))
    assert open_pr("--token-triggers-workflows") == 0
    assert not [call for call in gh_calls(repo) if call.startswith("workflow run")]


def test_results_that_fail_validation_push_nothing(repo, monkeypatch, capsys):
    bench(repo, FakeRuns(monkeypatch, "2.13.0"))
    assert open_pr(validate="false") == 1
    message = capsys.readouterr().err.strip()
    assert message.count("\n") == 0 and "did not validate" in message and "no branch was pushed" in message
    assert not remote_branches(repo) and not gh_calls(repo)


def test_a_runner_without_gh_gets_a_clear_message(repo, monkeypatch, tmp_path, capsys):
    only_git = tmp_path / "only-git"
    only_git.mkdir()
    (only_git / "git").symlink_to(subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip())
    monkeypatch.setenv("PATH", str(only_git))
    bench(repo, FakeRuns(monkeypatch, "2.13.0"))
    assert open_pr() == 1
    message = capsys.readouterr().err
    assert "gh is not on PATH" in message and "https://cli.github.com" in message
    assert not remote_branches(repo)


def test_the_script_runs_as_the_workflow_calls_it(repo, monkeypatch):
    """As a command (not imported): exit status and output are what the workflow step sees."""
    bench(repo, FakeRuns(monkeypatch, "2.13.0"))
    done = subprocess.run([sys.executable, str(SCRIPT), "--validate-command", "true"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "pushed 2 result file(s)" in done.stdout and len(remote_branches(repo)) == 1
    pushed = git(repo, "show", "--stat", "--format=%an <%ae>%n%s", f"origin/{remote_branches(repo)[0]}")
    assert pushed.startswith("atlas-bench <atlas-bench@users.noreply.github.com>")
    assert json.loads(next((repo / "data" / "results").rglob("*.json")).read_text())["status"] == "ok"
