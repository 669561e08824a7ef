"""``invoke validate``: check the whole knowledge base and print every problem, one line each.

    python -m generator.kb.validate [--data DIR] [--results DIR]

Exit code 1 when there is any error; warnings (e.g. a stale review date) are printed but do not fail. Under
GitHub Actions (``GITHUB_ACTIONS=true``) the problems also become annotations on the pull request's lines and a
table in the job summary (``generator.problems.publish_to_github``), once per step: ``report`` prints text only,
so the site build, which reports the same problems again, adds no second set of annotations.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.problems import Problem, Severity, publish_to_github


def report(problems: list[Problem], files: int, *, out=None) -> None:
    """Print the problems sorted by file and line, and a summary line."""
    from generator.kb.loader import sort_key

    out = out or sys.stdout
    ordered = sorted(problems, key=sort_key)
    for problem in ordered:
        print(problem.format(), file=out)
    errors = sum(problem.severity is Severity.error for problem in problems)
    warnings = len(problems) - errors
    status = "FAILED" if errors else "OK"
    print(
        f"{status}: {files} files checked, {_count(errors, 'error')}, {_count(warnings, 'warning')}", file=out
    )


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def measured_status_problems(result, results_dir: Path) -> list[Problem]:
    """The checks that need the results too: a claim's status against its computed measured verdicts."""
    from generator.kb.checks import measured_status
    from generator.results.load import load_results
    from generator.results.schema import FRAMEWORKS
    from generator.site.verdicts import all_verdicts

    verdicts = all_verdicts(result.kb, load_results(results_dir))
    return list(measured_status.check(result.entries, verdicts, set(FRAMEWORKS)))


def check(data: Path, results_dir: Path | None = None) -> tuple[list[Problem], int, int]:
    """Problems, files checked and exit status of the knowledge base under ``data`` (its claims' statuses checked
    against the measured verdicts of ``results_dir``, default ``data/results``), printed as text."""
    try:
        from generator.kb.loader import load_knowledge_base

        result = load_knowledge_base(data)
        if result.kb is not None:
            result.problems.extend(measured_status_problems(result, results_dir or data / "results"))
    except Exception as exc:  # never a traceback for contributors; this is a bug in the validator itself
        print(f"{data}: internal error in the validator: {type(exc).__name__}: {exc} — please report it")
        return [], 0, 1
    report(result.problems, len(result.entries))
    return result.problems, len(result.entries), 1 if result.errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="validate", description="Validate the knowledge base in data/.")
    parser.add_argument("--data", type=Path, default=Path("data"), help="the data folder (default: data)")
    parser.add_argument("--results", type=Path, default=None,
                        help="the benchmark results the measured verdicts are computed from (default: DATA/results)")
    args = parser.parse_args(argv)
    problems, _, status = check(args.data, args.results)
    publish_to_github(problems, sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
