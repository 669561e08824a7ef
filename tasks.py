"""Maintainer tasks. Thin wrappers around ``generator.cli``: all logic lives in the package, where it is tested.

    invoke validate        check data/ and data/results/ (exit 1 on any error)
    invoke build           validate → render → mkdocs build --strict → swap into site/ (only if all succeeded)
    invoke serve           preview with live reload
    invoke bench           run the reference benchmarks (needs the [bench] extra)
    invoke test            run the test suite (installs the headless browser it needs)
    invoke new             scaffold a new knowledge-base entry
    invoke schema          rewrite the JSON Schemas in schema/
    invoke audit           Lighthouse + axe scores of the built site
"""

import sys

from invoke import task

# The interpreter invoke itself runs under (the project venv), so `.venv/bin/invoke` works without activation.
PY = f"{sys.executable} -m generator.cli"


@task
def validate(c, data="data", results="data/results"):
    """Validate the knowledge base and the benchmark results."""
    c.run(f"{PY} validate --data {data} --results {results}", pty=False)


@task
def build(c, data="data", results="data/results", site="site"):
    """Build the site into site/ (replaced only when everything succeeded)."""
    c.run(f"{PY} build --data {data} --results {results} --site {site}")


@task
def serve(c, port=8000):
    """Preview the site on 127.0.0.1 with live reload."""
    c.run(f"{PY} serve --port {port}", pty=True)


@task(
    help={
        "suite": "smoke | standard | full | accuracy",
        "device": "auto | cpu | cuda",
        "framework": "tensorflow and/or pytorch, comma-separated",
        "task": "task ids, comma-separated",
        "resume": "skip configurations that already have a result",
        "reproduce": "path of a stored result whose exact configuration to run again",
        "dry_run": "print the plan without running it",
    }
)
def bench(c, suite="standard", device="auto", framework="", task="", resume=False, reproduce="", dry_run=False):
    """Run the reference benchmarks, one subprocess per framework × configuration."""
    args = [f"--suite {suite}", f"--device {device}"]
    args += [f"--framework {framework}"] if framework else []
    args += [f"--task {task}"] if task else []
    args += ["--resume"] if resume else []
    args += [f"--reproduce {reproduce}"] if reproduce else []
    args += ["--dry-run"] if dry_run else []
    c.run(f"{PY} bench {' '.join(args)}", pty=False)


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
