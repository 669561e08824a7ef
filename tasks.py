"""Maintainer tasks. Thin wrappers around ``generator.cli``: all logic lives in the package, where it is tested.

    invoke validate        check data/ and data/results/ (exit 1 on any error)
    invoke build           validate → render → mkdocs build --strict → swap into site/ (only if all succeeded);
                           --engine zensical builds the same pages with Zensical
    invoke serve           preview with live reload
    invoke bench           run the reference benchmarks (needs the [bench] extra)
    invoke test            run the test suite (installs the headless browser it needs)
    invoke new             scaffold a new knowledge-base entry
    invoke schema          rewrite the JSON Schemas in schema/
    invoke audit           Lighthouse + axe scores of the built site
"""

import argparse
import inspect
import shlex
import sys

from invoke import task

# The interpreter invoke itself runs under (the project venv), so `.venv/bin/invoke` works without activation.
PY = f"{sys.executable} -m generator.cli"


@task
def validate(c, data="data", results="data/results"):
    """Validate the knowledge base and the benchmark results."""
    c.run(f"{PY} validate --data {data} --results {results}", pty=False)


@task(help={"engine": "mkdocs | zensical: the static-site engine; both build the same pages (default: mkdocs)"})
def build(c, data="data", results="data/results", site="site", engine="mkdocs"):
    """Build the site into site/ (replaced only when everything succeeded)."""
    c.run(f"{PY} build --data {data} --results {results} --site {site} --engine {engine}")


@task
def serve(c, port=8000):
    """Preview the site on 127.0.0.1 with live reload."""
    c.run(f"{PY} serve --port {port}", pty=True)


def _bench_task():
    """``invoke bench``, made from the bench CLI's own parser: every option passes through, with its default.

    One source of truth: an option added to :func:`generator.bench.cli.parser` appears here by itself, so the two
    cannot drift apart.
    """
    from generator.bench.cli import parser

    options = [action for action in parser()._actions if action.option_strings and action.dest != "help"]

    def bench(c, **values):
        args: list[str] = []
        for action in options:
            flag, value = action.option_strings[-1], values.get(action.dest)
            if isinstance(action, argparse._StoreTrueAction):
                args += [flag] if value else []
            elif isinstance(action, argparse._AppendAction):
                args += [part for item in value or [] for part in (flag, str(item))]
            elif value not in (None, "", _shown_default(action)):
                args += [flag, str(value)]
        c.run(f"{PY} bench {shlex.join(args)}", pty=False)

    parameters = [inspect.Parameter("c", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    helps = {}
    for action in options:
        is_flag = isinstance(action, argparse._StoreTrueAction)
        is_list = isinstance(action, argparse._AppendAction)
        default = False if is_flag else [] if is_list else _shown_default(action)
        parameters.append(inspect.Parameter(action.dest, inspect.Parameter.KEYWORD_ONLY, default=default))
        words = [" | ".join(map(str, action.choices))] if action.choices else []
        words += [action.help] if action.help else []
        words += ["repeatable"] if is_list and "repeatable" not in (action.help or "") else []
        text = "; ".join(words)
        if "default" not in text:
            text += f" (default: {'off' if is_flag else _shown_default(action) or 'none'})"
        helps[action.dest] = text.strip()
    bench.__signature__ = inspect.Signature(parameters)
    bench.__doc__ = "Run the reference benchmarks, one subprocess per framework × configuration (atlas bench)."
    iterable = [action.dest for action in options if isinstance(action, argparse._AppendAction)]
    return task(bench, help=helps, iterable=iterable, positional=[], auto_shortflags=False)


def _shown_default(action: argparse.Action) -> str:
    return "" if action.default is None or isinstance(action.default, bool) else str(action.default)


bench = _bench_task()


@task
def test(c, browser=True):
    """Run every test. The browser tests install Debian's Chromium if it is missing and fail loudly if they can't."""
    c.run(f"{PY} test" + ("" if browser else " --no-browser"))


@task
def new(c, collection, id):
    """Scaffold data/<collection>/<id>.yaml with every required field."""
    c.run(f"{PY} new {collection} {id}")


@task
def schema(c):
    """Write the JSON Schemas the YAML files point editors at."""
    c.run(f"{PY} schema")


@task
def audit(c):
    """Print Lighthouse (mobile) and axe-core figures for the built site."""
    c.run(f"{PY} audit")
