"""Results from several machines and framework versions on the benchmark pages (issue 12): each machine's verdict
side by side, saying where it changes with the machine, and a framework's versions over time on one machine."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from generator.results.load import load_results
from generator.site import benchmarks, build
from generator.site.environments import run_anchor

from .conftest import REPO_ROOT, make_context, pages_by_path
from .result_factory import environment, performance, write

FAST_CPU = "SYNTHETIC machine A (not a real measurement)"
SLOW_CPU = "SYNTHETIC machine B (not a real measurement)"
LATER = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def on(machine: str, host: str, framework: str, step_time_s: float, *, version: str | None = None,
       started_at: dt.datetime = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC), mode: str = "eager"):
    result = performance("image-classification", framework, mode, "fp32", "inference", 8, step_time_s=step_time_s,
                         started_at=started_at,
                         result_id=f"synthetic-{host}-{framework}-{mode}-{version or 'v'}-{started_at:%m%d}")
    changes = {"machine_label": machine, "hostname_hash": host}
    if version:
        changes["framework_version"] = version
    return result.model_copy(update={"environment": environment(framework, **changes)})


@pytest.fixture(scope="module")
def results_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("machines")
    for result in (
        on(FAST_CPU, "hosta", "pytorch", 0.05), on(FAST_CPU, "hosta", "tensorflow", 0.08),  # PyTorch wins on A
        on(SLOW_CPU, "hostb", "pytorch", 0.09), on(SLOW_CPU, "hostb", "tensorflow", 0.06),  # TensorFlow wins on B
        on(FAST_CPU, "hosta", "pytorch", 0.1, mode="compiled"), on(FAST_CPU, "hosta", "tensorflow", 0.1,
                                                                     mode="compiled"),
        on(SLOW_CPU, "hostb", "pytorch", 0.1, mode="compiled"), on(SLOW_CPU, "hostb", "tensorflow", 0.1,
                                                                     mode="compiled"),  # a tie on both
        on(FAST_CPU, "hosta", "pytorch", 0.04, version="3.0.0", started_at=LATER),  # a newer PyTorch on A
    ):
        write(folder, result)
    return folder


@pytest.fixture(scope="module")
def pages(results_folder, knowledge_base):
    return pages_by_path(benchmarks.pages(make_context(knowledge_base, load_results(results_folder))))


def rows(markdown: str, start: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(start)]


def test_the_task_page_puts_the_machines_side_by_side_and_says_where_the_verdict_changes(pages):
    page = pages["benchmarks/image-classification.md"].markdown
    assert "## Machines side by side" in page
    assert "changes with the machine in 2 of the 3 setups" in " ".join(page.split())  # eager and best-of-each
    header = rows(page, "| Phase | Mode | Precision | SYNTHETIC machine")[0]
    assert "machine A" in header and "machine B" in header and header.endswith("Verdict changes |")
    [eager] = [r for r in rows(page, "| Inference | eager | fp32 | PyTorch") if r.endswith("| yes |")]
    assert "PyTorch" in eager and "TensorFlow" in eager  # each machine's own winner, side by side
    [compiled] = rows(page, "| Inference | compiled | fp32 | too close")
    assert compiled.endswith("| no |")


def test_the_overview_says_it_too(pages):
    page = pages["benchmarks/index.md"].markdown
    text = " ".join(page.split())
    assert "**Machines side by side:** the verdict changes with the machine in 2 of the 3 setups" in text


def test_a_newer_framework_version_is_compared_with_the_older_on_the_same_machine(pages):
    page = pages["benchmarks/image-classification.md"].markdown
    assert page.count("### Framework versions over time") == 1  # machine A only: B has one version
    history = rows(page, "| PyTorch | Inference | eager | fp32 | 8 |")
    assert [html.unescape(row.split(" | ")[5]) for row in history] == ["2.99.0", "3.0.0"]
    assert history[0].endswith("| — |") and "1.25× (faster)" in html.unescape(history[1])


def test_the_comparison_uses_the_latest_version(pages):
    page = pages["benchmarks/image-classification.md"].markdown
    section_a = page.split("## On SYNTHETIC machine A")[1].split("## On")[0]
    comparison = section_a.split("### Framework versions")[0]
    assert run_anchor("synthetic-hosta-pytorch-eager-3.0.0-0302") in comparison
    assert run_anchor("synthetic-hosta-pytorch-eager-v-0105") not in comparison


def test_one_machine_shows_no_side_by_side_table(ctx):
    page = pages_by_path(benchmarks.pages(ctx))["benchmarks/image-classification.md"].markdown
    assert "Machines side by side" not in page and "Framework versions over time" not in page


def test_the_site_builds_strictly_with_two_machines(results_folder, tmp_path):
    site = tmp_path / "site"
    assert build.build_site(REPO_ROOT / "data", results_folder, site) == 0
    page = (site / "benchmarks" / "image-classification" / "index.html").read_text()
    assert 'id="machines-side-by-side"' in page and "Framework versions over time" in page
