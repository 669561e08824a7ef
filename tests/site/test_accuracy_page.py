"""The accuracy page: verdict, learning curves, tables and links from synthetic results; hostile text stays text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.kb.loader import load_knowledge_base
from generator.results.load import ResultSet
from generator.site import accuracy
from generator.site.context import SiteContext
from tests.bench.accuracy.factory import accuracy_result, paired_set
from tests.kb.tiny_kb import write_kb

REPO_ROOT = Path(__file__).resolve().parents[2]
TF = [0.990, 0.985, 0.992, 0.988, 0.991]
PT = [0.989, 0.987, 0.990, 0.989, 0.990]


def _context(results, kb, origins, tmp_path) -> SiteContext:
    paths = {r.result_id: f"data/results/synthetic/{r.result_id}.json" for r in results}
    return SiteContext(kb=kb, origins=origins, results=ResultSet(results=list(results), paths=paths),
                       repo_url="https://github.com/framework-atlas/framework-atlas",
                       edit_base="https://github.com/framework-atlas/framework-atlas/edit/main/",
                       built_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC), repo_root=tmp_path)


@pytest.fixture(scope="module")
def tiny_kb(tmp_path_factory):
    loaded = load_knowledge_base(write_kb(tmp_path_factory.mktemp("kb")))
    assert loaded.kb is not None
    return loaded.kb, loaded.origins


@pytest.fixture(scope="module")
def real_kb():
    loaded = load_knowledge_base(REPO_ROOT / "data")
    assert loaded.kb is not None, "the repository's knowledge base does not validate: run `invoke validate`"
    return loaded.kb, loaded.origins


def _page(results, kb, tmp_path):
    pages = accuracy.pages(_context(results, *kb, tmp_path))
    assert len(pages) == 1
    return pages[0]


def test_page_shows_verdict_summary_pairs_curves_and_setup(tiny_kb, tmp_path):
    page = _page(paired_set(TF, PT, epochs=4), tiny_kb, tmp_path)
    md = page.markdown
    assert page.path == "benchmarks/accuracy.md" and page.nav_section == "Benchmarks"
    assert '!!! success "What the runs show"' in md and "No significant difference" in md
    assert "paired t-test" in md and "Every seed, paired" in md
    assert md.count('<figure class="atlas-chart"') == 2 and "<svg" in md  # static fallback inlined
    assert 'id="accuracy-curve"' in md and 'id="loss-curve"' in md
    assert md.count("](runs.md#run-accuracy-digits-") == 10  # every accuracy links to its run
    assert "https://github.com/framework-atlas/framework-atlas/blob/main/data/results/synthetic/" in md
    assert "](../api/results.csv)" in md and 'class="atlas-chart-loader"' in md  # the scripts load once
    assert "Batch-norm running variance" in md and "TorchStyleAdam" in md  # what was made equal
    assert "| 4 |" in md  # the per-epoch table has every epoch


def test_chart_specs_are_valid_vega_lite(tiny_kb, tmp_path):
    import json

    import jsonschema
    from altair.vegalite import load_schema

    schema = load_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    md = _page(paired_set(TF, PT, epochs=4), tiny_kb, tmp_path).markdown
    specs = [json.loads(s) for s in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', md, re.S)]
    assert len(specs) == 2
    for spec in specs:
        validator.validate(spec)
        assert {layer["mark"]["type"] for layer in spec["layer"]} == {"area", "line"}  # mean line, ± sd band


def test_significant_difference_is_a_warning_naming_the_leader(tiny_kb, tmp_path):
    pt = [a - 0.01 + d for a, d in zip(TF, [0.001, -0.001, 0.0005, 0.0, -0.0005])]
    md = _page(paired_set(TF, pt), tiny_kb, tmp_path).markdown
    assert '!!! warning "What the runs show"' in md and "TensorFlow ahead by" in md


def test_no_results_says_not_measured(tiny_kb, tmp_path):
    md = _page([], tiny_kb, tmp_path).markdown
    assert "Not measured yet" in md and "invoke bench --suite accuracy" in md
    assert "<figure" not in md


def test_hostile_text_in_results_is_shown_as_text(tiny_kb, tmp_path):
    """A machine label full of HTML and Markdown renders as the same characters, through Python-Markdown with the
    site's extensions (inside the chart figures, an HTML block, Markdown is not interpreted at all)."""
    import markdown
    label = '<script>alert(1)</script> [x](javascript:alert(2)) **bold**'
    results = paired_set(TF, PT, env={"machine_label": label})
    md = _page(results, tiny_kb, tmp_path).markdown
    html = markdown.markdown(md.split("---", 2)[2], extensions=["admonition", "attr_list", "md_in_html", "tables"])
    assert "<script>alert" not in html and 'href="javascript:' not in html and "<strong>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "**bold**" in html.replace("&#42;", "*")
    for spec in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', md, re.S):
        assert "<" not in spec  # the inlined chart data cannot close its script element


def test_real_knowledge_base_links_the_articles_claims(real_kb, tmp_path):
    md = _page(paired_set(TF, PT), real_kb, tmp_path).markdown
    assert "fact-check.md#claim-benchmark-resnet50-accuracy" in md
    assert "fact-check.md#claim-benchmark-bert-sentiment-accuracy" in md
    assert 'class="atlas-edit"' in md and "data/benchmarks/digits-accuracy.yaml" in md


def test_page_module_imports_no_framework():
    import subprocess
    import sys

    code = ("import sys, generator.site.accuracy; "
            "bad = [m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_page_uses_only_the_newest_settings_and_says_so(tiny_kb, tmp_path):
    results = paired_set(TF, PT, config_id="oldsettings") + paired_set(PT, TF, config_id="newsettings", minutes=99)
    results.append(accuracy_result("pytorch", 7, 0.5, config_id="newsettings", minutes=99))  # unpaired seed
    md = _page(results, tiny_kb, tmp_path).markdown
    assert "newsettings" in md and "oldsettings" not in md
    assert "1 other setting(s)" in md and "one framework only" in md and "not run" in md
