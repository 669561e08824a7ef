from __future__ import annotations

from pathlib import Path

import pytest

from generator.resultset import ResultSet, load_results

from .result_factory import write_standard_set


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory) -> Path:
    """A results folder of synthetic (clearly labelled, schema-built) results."""
    return write_standard_set(tmp_path_factory.mktemp("results"))


@pytest.fixture(scope="session")
def resultset(results_dir) -> ResultSet:
    return load_results(results_dir)
