"""The accuracy page survives the real build: MkDocs in strict mode (links to the runs and anchors checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.site import build
from tests.bench.accuracy.factory import paired_set

REPO_ROOT = Path(__file__).resolve().parents[2]
@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    for result in paired_set([0.99, 0.985, 0.992, 0.988, 0.991], [0.989, 0.987, 0.99, 0.989, 0.99], epochs=5):
        path = results / "synthetic" / f"{result.result_id}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(result.model_dump_json(indent=1), encoding="utf-8")
    site = tmp_path_factory.mktemp("built") / "site"
    assert build.build_site(REPO_ROOT / "data", results, site) == 0
    return site


def test_strict_build_renders_the_accuracy_page(built_site):
    html = (built_site / "benchmarks" / "accuracy" / "index.html").read_text(encoding="utf-8")
    assert html.count('<figure class="atlas-chart"') == 2 and "<svg" in html
    assert "No significant difference" in html and "paired t-test" in html
    assert 'href="../runs/#run-accuracy-digits-tensorflow-seed0-' in html
    assert 'class="admonition success"' in html


def test_strict_build_with_busy_and_failed_accuracy_runs(tmp_path):
    """Real runs on a shared machine are flagged busy, and a crashed run is a failed result: the build must cope."""
    from generator.results.schema import Status
    from tests.bench.accuracy.factory import accuracy_result

    results = tmp_path / "results" / "synthetic"
    results.mkdir(parents=True)
    runs = paired_set([0.99, 0.985, 0.992], [0.989, 0.987, 0.99], env={"busy": True})
    runs.append(accuracy_result("pytorch", 9, 0.9, status=Status.failed))
    for result in runs:
        (results / f"{result.result_id}.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
    assert build.build_site(REPO_ROOT / "data", results.parent, tmp_path / "site") == 0
    html = (tmp_path / "site" / "benchmarks" / "accuracy" / "index.html").read_text(encoding="utf-8")
    assert "were taken while other processes loaded the machine" in html
