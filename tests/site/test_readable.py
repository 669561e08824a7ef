"""The reader's helpers: tables that lift what every row shares, numbers that keep their figures, the measured
answer computed from the results, the glossary, use-case tips and the fact-check summary."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import Markup
from pydantic import ValidationError

from generator.kb.models import UseCase
from generator.site import factcheck, glance, glossary, home
from generator.site.benchmarks import verdict_block
from generator.site.charts import interval, no_mode_gaps, number
from generator.site.tables import fitted


def test_fitted_puts_the_answer_first_and_lifts_constant_columns_into_the_caption():
    table = fitted(["Framework", "Batch", "Precision", "Samples/s"],
                   [["TensorFlow", 8, "fp32", "13.5"], ["PyTorch", 8, "bf16", "18.5"]],
                   first=["Samples/s"], caption="Samples/s: median")
    assert table.headers == ["Samples/s", "Framework", "Precision"]
    assert table.rows == [["13.5", "TensorFlow", "fp32"], ["18.5", "PyTorch", "bf16"]]
    assert table.caption == "Samples/s: median · Batch: 8"
    assert "{: .atlas-caption }" in table.markdown() and '<p class="atlas-caption">' in table.html()


def test_fitted_keeps_links_single_rows_and_kept_columns_in_place():
    link = Markup('<a href="#run">8</a>')
    assert fitted(["A", "B"], [[link, 1], [link, 2]]).headers == ["A", "B"]  # a link is never lifted
    assert fitted(["A", "B"], [[1, 2]]).headers == ["A", "B"]  # one row: nothing repeats
    assert fitted(["A", "B"], [[1, 2], [1, 3]], keep=["A"]).headers == ["A", "B"]


@pytest.mark.parametrize(("value", "shown"), [(28.0, "28.0"), (10.0, "10.0"), (0.5, "0.500"), (1234.5, "1,234"),
                                              (99.96, "100.0"), (8, "8"), (0.00123, "1.23e-03"),
                                              (float("nan"), "not measured")])
def test_numbers_keep_three_significant_figures_with_their_trailing_zeros(value, shown):
    assert number(value) == shown


def test_an_interval_is_written_with_its_medians_decimals():
    assert interval(10.0, 11.1, 10.5) == "[10.0–11.1]"
    assert interval(98.6, 100.0, 99.33, places=2) == "[98.60–100.00]"
    assert interval(None, 1.0, 1.0) == "[interval not measured]"


def test_a_mode_a_framework_lacks_is_labelled_where_its_bar_would_be():
    names = {"tensorflow": "TensorFlow", "pytorch": "PyTorch"}
    rows = [{"framework_name": "TensorFlow", "setup": "graph · fp32"}]
    gaps = no_mode_gaps(rows, names, "setup", ["eager · fp32", "graph · fp32"])
    assert gaps == [{"framework_name": "PyTorch", "setup": "graph · fp32", "zero": 0, "label": "no graph mode"}]


def test_the_answer_is_computed_from_the_comparisons(repo_ctx):
    block = verdict_block(repo_ctx, "index.md", figures=True)
    text = html.unescape(re.sub(r"<[^>]+>", " ", block))
    found = glance.findings(*_findings_args(repo_ctx))
    counts = glance.tally(found)
    total = sum(counts.values())
    assert total > 0, "the repository has published speed results"
    assert f"of {total} comparisons" in text
    for finding in found:
        for comparison in finding.comparisons:
            assert f"{glance.ratio(comparison):.2f}×" in text  # every best-of-each ratio is stated
    assert re.search(r"\d+\.\d\d%.*\d+\.\d\d%", text, re.S), "the accuracy benchmark's means are in the answer"
    assert 'href="glossary/#best-of-each"' in block


def _findings_args(ctx):
    from generator.site import benchmarks

    names = benchmarks.framework_names(ctx)
    titles = {task: benchmarks._task_title(ctx, task) for task in benchmarks.PERFORMANCE_TASKS}
    return (benchmarks.machine_groups(ctx.results.frame), benchmarks.PERFORMANCE_TASKS, titles, names,
            benchmarks.comparisons)


def test_with_no_results_the_answer_says_nothing_was_measured(repo_ctx):
    names = {"tensorflow": "TensorFlow", "pytorch": "PyTorch"}
    assert glance.summary([], names).startswith("Nothing has been measured in both frameworks yet")


def test_the_home_page_opens_with_the_measured_answer(repo_ctx):
    (page,) = home.pages(repo_ctx)
    body = page.markdown
    assert body.index('id="verdict"') < body.index("How we work")
    assert 'href="fact-check/#the-article"' in body


def test_every_glossary_term_is_an_abbreviation_and_has_an_anchor(repo_ctx):
    lines = glossary.abbreviations().splitlines()
    assert len(lines) == sum(1 + len(term.also) for term in glossary.TERMS)
    assert all(re.fullmatch(r"\*\[[^\]]+\]: [^\n<>]+", line) for line in lines), lines
    (page,) = glossary.pages(repo_ctx)
    for term in glossary.TERMS:
        assert f'id="{term.id}"' in page.markdown
    assert 'id="best-of-each"' in page.markdown
    assert glossary.abbr("bf16").startswith('<abbr title="Mixed precision')


def test_use_case_tips_only_for_an_either_and_only_for_recommended_frameworks():
    base = {"id": "either", "title": "Either", "article_recommends": "Both", "rationale": "Why.", "sources": ["src"],
            "last_reviewed": "2026-01-01"}
    UseCase(**base, recommendation=["tensorflow", "pytorch"], tips={"pytorch": "You use Hugging Face."})
    with pytest.raises(ValidationError, match="recommends one framework"):
        UseCase(**base, recommendation=["pytorch"], tips={"pytorch": "Always."})
    with pytest.raises(ValidationError, match="which 'recommendation' does not list"):
        UseCase(**base, recommendation=["tensorflow", "pytorch"], tips={"jax": "TPUs."})


def test_every_either_use_case_says_what_would_tip_it(repo_ctx):
    either = [case for case in repo_ctx.kb.use_cases if len(case.recommendation) > 1]
    assert either and all(case.tips for case in either), [case.id for case in either if not case.tips]


def test_the_fact_check_summary_lists_every_claim_once_with_status_and_section(repo_ctx):
    (page,) = factcheck.pages(repo_ctx)
    rows = re.findall(r'<tr data-status="([a-z]+)" data-section="([a-z0-9-]+)">', page.markdown)
    assert len(rows) == len(repo_ctx.kb.claims)
    statuses = {str(claim.status) for claim in repo_ctx.kb.claims}
    assert {status for status, _ in rows} == statuses
    for status in statuses:  # a filter for every status that occurs
        assert f'id="atlas-status-{status}"' in page.markdown
    assert page.markdown.count('<details class="atlas-claim">') == len(repo_ctx.kb.claims)
    article = page.markdown[page.markdown.index("The article checked here"):]
    assert "not recorded" in article and "http" not in article[:article.index("</p>")]
