"""The benchmark pages survive the real build: MkDocs in strict mode (links and anchors checked), assets served."""

from __future__ import annotations

import re


def test_strict_build_renders_the_chart_pages_with_their_data(built_site):
    html = (built_site / "benchmarks" / "image-classification" / "index.html").read_text(encoding="utf-8")
    assert html.count('<figure class="atlas-chart"') == 7
    assert "<svg" in html and "Throughput (samples/s)" in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert not [src for src in scripts if src.startswith(("http:", "https:", "//"))]
    loader_links = re.findall(r'class="atlas-chart-loader"[^>]*>.*?href="([^"]+)".*?href="([^"]+)"', html, re.DOTALL)
    assert loader_links == [("../../assets/javascripts/vega.js", "../../assets/javascripts/atlas-charts.js")]


def test_the_served_files_exist(built_site):
    for path in ("assets/javascripts/vega.js", "assets/javascripts/atlas-charts.js", "api/results.csv",
                 "api/results.json", "benchmarks/runs/index.html", "benchmarks/environments/index.html",
                 "benchmarks/methodology/index.html", "benchmarks/data/index.html", "fact-check/index.html"):
        assert (built_site / path).is_file(), path
