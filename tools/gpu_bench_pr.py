"""Turn new benchmark results into a pull request: the shell logic of ``.github/workflows/gpu-bench.yml``.

    python tools/gpu_bench_pr.py [--results data/results] [--base main] [--label benchmark-results]

Kept out of the workflow's YAML so it can be tested here (``tests/bench/test_gpu_bench_pr.py``), where no GPU
runner exists. Each step fails with one clear line instead of a red job with a git error in it:

1. ``gh`` and ``git`` must be on PATH (a self-hosted runner does not always have the GitHub CLI).
2. No new result files (every configuration already has a result with the same identity): say so, exit 0.
3. The results are validated *before* anything is pushed (``atlas validate``); invalid results open nothing.
4. The branch is unique per run (UTC time, run id and attempt, and a suffix if it still exists on the remote),
   so a second run the same day pushes instead of colliding.
5. The label is created if missing (``gh label create --force`` is idempotent).
6. The pull request must be validated by ``pr.yml`` too. A pull request opened with the workflow's
   ``GITHUB_TOKEN`` triggers no workflow, so a maintainer configures a ``BENCH_PR_TOKEN`` secret (a fine-grained
   token or GitHub App token with contents and pull-requests write on this repository) and the workflow passes
   ``--token-triggers-workflows``. Without it the script starts ``pr.yml`` on the branch with
   ``gh workflow run`` (workflow_dispatch is the one event ``GITHUB_TOKEN`` may trigger), whose check then shows
   on the pull request's head commit.

Credentials never touch the disk: git asks ``gh auth git-credential`` for the token in ``GH_TOKEN`` per push.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

BOT_NAME = "atlas-bench"
BOT_EMAIL = "atlas-bench@users.noreply.github.com"
LABEL_COLOR = "1d76db"
LABEL_DESCRIPTION = "Benchmark results produced by invoke bench"
VALIDATION_WORKFLOW = "pr.yml"


class Stop(Exception):
    """A step that cannot go on: its message is printed as one line and the script exits 1."""


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise Stop(f"`{' '.join(args[:3])}` failed (exit {done.returncode}): {detail[-1] if detail else 'no output'}")
    return done


def require_tools() -> None:
    for tool, how in (("git", "install git on the runner"),
                      ("gh", "install the GitHub CLI (https://cli.github.com) on the self-hosted runner")):
        if shutil.which(tool) is None:
            raise Stop(f"{tool} is not on PATH — {how}; the new results stay uncommitted in the working tree")


def new_result_files(results: str) -> list[str]:
    """Result files that are new or changed since the checkout, as git sees them."""
    out = run("git", "status", "--porcelain", "--untracked-files=all", "--", results).stdout
    return sorted(line[3:] for line in out.splitlines() if line[3:].endswith(".json"))


def validate(command: list[str]) -> None:
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        raise Stop(f"the results did not validate (`{' '.join(command)}` exited {done.returncode}) — fix the "
                   "problems printed above; no branch was pushed and no pull request opened")


def unique_branch(now: dt.datetime, env: dict[str, str]) -> str:
    """``bench-results/<UTC time>-run<id>.<attempt>``, with ``-2``, ``-3``… while the remote already has it."""
    base = f"bench-results/{now:%Y%m%d-%H%M%S}-run{env.get('GITHUB_RUN_ID', 'local')}.{env.get('GITHUB_RUN_ATTEMPT', '1')}"
    branch, number = base, 1
    while run("git", "ls-remote", "--exit-code", "--heads", "origin", branch, check=False).returncode == 0:
        number += 1
        branch = f"{base}-{number}"
    return branch


def summary(files: list[str], results: str) -> tuple[str, str]:
    """A title and body naming each machine folder and how many results it got."""
    per_machine = Counter(Path(file).relative_to(results).parts[0] for file in files)
    machines = ", ".join(sorted(per_machine))
    title = f"Benchmark results: {len(files)} new from {machines}"
    lines = [f"- `{machine}`: {count} result file(s)" for machine, count in sorted(per_machine.items())]
    body = "\n".join(["New results from `invoke bench`, validated before this pull request was opened.", "",
                      *lines, "", "Review them like any data: the checks of `pr.yml` validate them again."])
    return title, body


def push(branch: str, files: list[str], title: str) -> None:
    run("git", "switch", "--create", branch)
    run("git", "add", "--", *files)
    run("git", "-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}", "commit", "--quiet",
        "--message", title)
    run("git", "-c", "credential.helper=", "-c", "credential.helper=!gh auth git-credential",
        "push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")


def open_pull_request(branch: str, base: str, label: str, title: str, body: str, dispatch: bool) -> str:
    run("gh", "label", "create", label, "--color", LABEL_COLOR, "--description", LABEL_DESCRIPTION, "--force")
    url = run("gh", "pr", "create", "--base", base, "--head", branch, "--title", title, "--body", body,
              "--label", label).stdout.strip()
    if dispatch:
        run("gh", "workflow", "run", VALIDATION_WORKFLOW, "--ref", branch)
    return url


def main(argv: list[str] | None = None, now: dt.datetime | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gpu_bench_pr", description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default="data/results", help="results folder, relative to the repository")
    parser.add_argument("--base", default="main", help="branch the pull request targets")
    parser.add_argument("--label", default="benchmark-results")
    parser.add_argument("--token-triggers-workflows", action="store_true",
                        help="GH_TOKEN is a personal or app token (BENCH_PR_TOKEN): the pull request itself "
                             f"triggers {VALIDATION_WORKFLOW}, so it is not dispatched")
    parser.add_argument("--validate-command", nargs="+", default=[sys.executable, "-m", "generator.cli", "validate"],
                        help="the validation to pass before anything is pushed")
    args = parser.parse_args(argv)
    try:
        require_tools()
        files = new_result_files(args.results)
        if not files:
            print(f"no new results in {args.results}: every planned configuration already has a result with the "
                  "same identity (configuration, versions, machine) — nothing to open")
            return 0
        validate(args.validate_command)
        branch = unique_branch(now or dt.datetime.now(dt.UTC), dict(os.environ))
        title, body = summary(files, args.results)
        push(branch, files, title)
        url = open_pull_request(branch, args.base, args.label, title, body,
                                dispatch=not args.token_triggers_workflows)
    except Stop as stop:
        print(f"gpu_bench_pr: {stop}", file=sys.stderr)
        return 1
    print(f"pushed {len(files)} result file(s) to {branch}: {url}")
    if not args.token_triggers_workflows:
        print(f"{VALIDATION_WORKFLOW} was started on {branch} by workflow_dispatch; configure the BENCH_PR_TOKEN "
              "secret so the pull request triggers it itself")
    return 0


if __name__ == "__main__":
    sys.exit(main())
