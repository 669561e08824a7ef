"""The one command-line entry point (``atlas`` / ``python -m generator.cli``); ``tasks.py`` wraps it for invoke.

Each sub-command imports only what it needs, so building the site never imports TensorFlow or PyTorch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS_DIR = REPO_ROOT / "tools"  # package.json for the npm tools of the browser checks (axe-core, lighthouse)


def _validate(args: argparse.Namespace) -> int:
    from generator.kb.validate import check as check_kb
    from generator.problems import publish_to_github
    from generator.results.load import validate_results

    kb_problems, _, kb_status = check_kb(Path(args.data), Path(args.results))
    result_problems = validate_results(Path(args.results))
    for problem in sorted(result_problems):
        print(problem.format())
    errors = [p for p in result_problems if p.severity == "error"]
    print(f"results: {len(errors)} error(s) in {args.results}" if errors else f"results: {args.results} OK")
    publish_to_github([*kb_problems, *result_problems], sys.stdout)  # once for the whole step
    return 1 if kb_status or errors else 0


def _build(args: argparse.Namespace) -> int:
    from generator.site.build import build_site

    return build_site(Path(args.data), Path(args.results), Path(args.site), engine=args.engine)


def _serve(args: argparse.Namespace) -> int:
    from generator.site.build import serve

    return serve(port=args.port) or 0


def _bench(args: argparse.Namespace, rest: list[str]) -> int:
    from generator.bench.cli import main as bench_main

    return bench_main(rest)


def _schema(_: argparse.Namespace) -> int:
    from generator.kb.schema import write_schemas

    for path in write_schemas(REPO_ROOT / "schema"):
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


def _new(args: argparse.Namespace) -> int:
    """Scaffold an entry with every field to fill, so a contributor fills in values instead of guessing keys."""
    import re

    from generator.kb.checks import slug
    from generator.kb.models import COLLECTIONS, ID_PATTERN
    from generator.kb.scaffold import scaffold

    if args.collection not in COLLECTIONS:
        print(f"unknown collection {args.collection!r} — use one of: {', '.join(COLLECTIONS)}", file=sys.stderr)
        return 1
    if not re.match(ID_PATTERN, args.id):
        example = slug(args.id) or "torch-compile"
        print(f"{args.id!r} is not a valid id — use lower-case letters and digits joined by '-', e.g. {example!r}",
              file=sys.stderr)
        return 1
    path = Path(args.data) / args.collection / f"{args.id}.yaml"
    if path.exists():
        print(f"{path} already exists — edit it instead", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scaffold(args.collection, args.id, dt.date.today()), encoding="utf-8")
    print(f"wrote {path} — fill in the TODOs, then run `invoke validate`")
    return 0


def ensure_browser_tools() -> None:
    """Install what the browser checks need, or fail loudly: they must never be skipped quietly."""
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        print("installing Debian's chromium for the browser tests (apt-get)…", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    if (TOOLS_DIR / "package.json").exists() and not (TOOLS_DIR / "node_modules").exists():
        print("installing the npm tools of the browser checks (npm ci)…", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(TOOLS_DIR)], check=True)


def _browser_tools_ready() -> bool:
    try:
        ensure_browser_tools()
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"could not install the browser tools ({error}): the browser tests cannot run — install Debian's "
              "chromium and run `npm ci --prefix tools`, or pass --no-browser to run the rest", file=sys.stderr)
        return False
    return True


def _test(args: argparse.Namespace, rest: list[str]) -> int:
    pytest_args = list(rest)
    if args.no_browser:
        pytest_args += ["-m", "not browser"]
    elif not _browser_tools_ready():
        return 1
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=REPO_ROOT)


def _audit(_: argparse.Namespace) -> int:
    if not _browser_tools_ready():
        return 1
    return subprocess.call([sys.executable, str(REPO_ROOT / "benchmarks" / "lighthouse_audit.py")], cwd=REPO_ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atlas", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="validate data/ and data/results/")
    p.add_argument("--data", default="data")
    p.add_argument("--results", default="data/results")
    p = sub.add_parser("build", help="build the site")
    p.add_argument("--data", default="data")
    p.add_argument("--results", default="data/results")
    p.add_argument("--site", default="site")
    p.add_argument("--engine", choices=["mkdocs", "zensical"], default="mkdocs",
                   help="the static-site engine; both build the same pages into the same site")
    p = sub.add_parser("serve", help="preview with live reload")
    p.add_argument("--port", type=int, default=8000)
    sub.add_parser("bench", help="run benchmarks (options: atlas bench --help)", add_help=False)
    sub.add_parser("schema", help="write schema/*.schema.json")
    p = sub.add_parser("new", help="scaffold a knowledge-base entry")
    p.add_argument("collection")
    p.add_argument("id")
    p.add_argument("--data", default=str(REPO_ROOT / "data"))
    p = sub.add_parser("test", help="run the tests (extra arguments go to pytest)")
    p.add_argument("--no-browser", action="store_true")
    sub.add_parser("audit", help="Lighthouse and axe figures of the built site")

    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        return _bench(args, rest)
    if args.command == "test":
        return _test(args, rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    handlers = {
        "validate": _validate,
        "build": _build,
        "serve": _serve,
        "schema": _schema,
        "new": _new,
        "audit": _audit,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
