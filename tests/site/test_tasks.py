"""``invoke bench`` is made from the bench CLI's parser: every option passes through, each with its default shown."""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from invoke import Collection, MockContext, Result

from generator.bench.cli import parser

REPO_ROOT = Path(__file__).resolve().parents[2]
OPTIONS = [action for action in parser()._actions if action.option_strings and action.dest != "help"]


def _tasks():
    spec = importlib.util.spec_from_file_location("atlas_tasks", REPO_ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _sample(action: argparse.Action) -> object:
    """A value for the option that differs from its default."""
    if isinstance(action, argparse._StoreTrueAction):
        return True
    if isinstance(action, argparse._AppendAction):
        return ["first", "second"]
    if action.choices:
        return list(action.choices)[-1] if list(action.choices)[-1] != action.default else list(action.choices)[0]
    if action.type is int:
        return "3"
    if action.type is float:
        return "2.5"
    return "some/where.json"


def test_every_bench_option_is_a_task_option() -> None:
    task = Collection.from_module(_tasks())["bench"]
    names = {argument.name for argument in task.get_arguments()}
    assert {action.dest for action in OPTIONS} == names
    assert len(OPTIONS) >= 16


@pytest.mark.parametrize("action", OPTIONS, ids=[action.option_strings[-1] for action in OPTIONS])
def test_each_option_reaches_the_bench_cli_unchanged(action: argparse.Action) -> None:
    context = MockContext(run=Result())
    value = _sample(action)
    _tasks().bench(context, **{action.dest: value})
    [command] = [call.args[0] for call in context.run.call_args_list]
    argv = shlex.split(command.split(" bench", 1)[1])
    parsed = parser().parse_args(argv)
    expected = action.type(value) if action.type and not isinstance(value, (bool, list)) else value
    assert getattr(parsed, action.dest) == expected, command


def test_no_option_means_the_bench_cli_defaults() -> None:
    context = MockContext(run=Result())
    _tasks().bench(context)
    [command] = [call.args[0] for call in context.run.call_args_list]
    assert vars(parser().parse_args(shlex.split(command.split(" bench", 1)[1]))) == vars(parser().parse_args([]))


def test_help_shows_every_option_with_its_default() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "--help", "bench"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    text = " ".join(run.stdout.split())
    for action in OPTIONS:
        assert action.option_strings[-1] in text
    for action in OPTIONS:
        if action.choices:
            # invoke wraps long help lines, sometimes inside a hyphenated word ("deploy-\nsmoke"): compare
            # without whitespace.
            expected = f"{action.option_strings[-1]}=STRING {' | '.join(map(str, action.choices))}"
            assert "".join(expected.split()) in "".join(text.split())
        if action.default not in (None, False):
            assert f"(default: {action.default})" in text
