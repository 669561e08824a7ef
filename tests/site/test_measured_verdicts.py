"""The measured verdicts as a reader meets them: on the fact-check page and in ``api/kb.json``, computed from the
repository's own knowledge base and results (so the bar holds for the data as it is, not for a fixture)."""

from __future__ import annotations

import html
import json
import re

import pytest

from generator.kb.models import Metric
from generator.site import api, factcheck
from generator.site.verdicts import DEPLOYMENT_SUITE, DEPLOYMENT_TASK, Outcome, all_verdicts, applicable_tasks
from tests.site.conftest import claim_block


@pytest.fixture
def ctx(repo_ctx):
    return repo_ctx


def measured_claims(ctx):
    return [claim for claim in ctx.kb.claims if claim.measured_by]


def test_every_measured_claim_declares_a_comparison(ctx):
    assert measured_claims(ctx), "the knowledge base has claims with measured_by"
    assert [claim.id for claim in measured_claims(ctx) if claim.compares is None] == []


def test_no_status_contradicts_its_verdicts_everywhere_without_an_explanation(ctx):
    verdicts = all_verdicts(ctx.kb, ctx.results)
    unexplained = [(claim.id, claim.status.value, str(verdicts[claim.id].disagreement(claim.status)))
                   for claim in measured_claims(ctx)
                   if verdicts[claim.id].disagreement(claim.status) and not verdicts[claim.id].why_status_differs]
    assert unexplained == []


def has_deploy_results(ctx) -> bool:
    return any(cell.config.suite == DEPLOYMENT_SUITE for cell in ctx.results.deployment)


def unmeasured_deployment_claims(ctx) -> set[str]:
    """Claims measured by the deployment benchmark only, while data/results has no cell of its 'deploy' suite."""
    if has_deploy_results(ctx):
        return set()
    return {claim.id for claim in measured_claims(ctx) if applicable_tasks(claim) == [DEPLOYMENT_TASK]}


def test_a_deployment_claim_without_deploy_results_is_not_measured_at_this_scope(ctx):
    claims = unmeasured_deployment_claims(ctx)
    assert claims or has_deploy_results(ctx), "the deployment claims declare deployment comparisons"
    (page,) = factcheck.pages(ctx)
    verdicts = json.loads(json.dumps(api.kb_document(ctx)))["measured_verdicts"]
    for claim_id in claims:
        assert "Not measured at this scope on any machine." in claim_block(page.markdown, claim_id), claim_id
        assert verdicts[claim_id]["machines"] == [] and verdicts[claim_id]["measurements_call_for"] is None


def test_the_factcheck_page_shows_each_measured_verdict_with_its_numbers(ctx):
    (page,) = factcheck.pages(ctx)
    for claim in measured_claims(ctx):
        block = html.unescape(claim_block(page.markdown, claim.id))
        assert "Measured verdict" in block, claim.id
        if claim.id in unmeasured_deployment_claims(ctx):
            continue  # nothing to show numbers of: the test above
        outcomes = "|".join(re.escape(outcome.value) for outcome in Outcome)
        assert re.search(rf"atlas-outcome--[a-z-]+\">({outcomes})</span> on ", block), claim.id
        if claim.compares.metric is Metric.deploy_coverage:
            # counts, not intervals: each framework's working cells, and the gap between the shares
            assert re.search(r"(TensorFlow|PyTorch) \d+ of \d+ cells work \(\d+%\)", block), claim.id
            assert re.search(r"(shares differ by \d+ percentage points|same share)", block), claim.id
            continue
        # numbers: a ratio or a difference in points, and each framework's figure with its interval
        assert re.search(r"\d\.\d\d×|[+-]\d+\.\d\d points", block), claim.id
        assert re.search(r"(TensorFlow|PyTorch) [\d,.]+( samples/s|%) \[[\d,.]+–[\d,.]+", block), claim.id


def test_a_large_scale_claim_says_it_is_not_measured_and_shows_the_cpu_result_beside_it(ctx):
    (page,) = factcheck.pages(ctx)
    block = html.unescape(claim_block(page.markdown, "tensorflow-faster-training-large-models"))
    assert ">not measured at this scope</span>" in block
    assert "(outside the claim's scope: shown, not counted)" in block and "samples/s" in block


def test_kb_json_carries_every_measured_verdict(ctx):
    document = json.loads(json.dumps(api.kb_document(ctx)))  # what the site writes, through JSON
    verdicts = document["measured_verdicts"]
    assert set(verdicts) == {claim.id for claim in measured_claims(ctx)}
    for claim in measured_claims(ctx):
        verdict = verdicts[claim.id]
        assert verdict["status"] == claim.status.value and verdict["statement"]
        assert verdict["machines"] or claim.id in unmeasured_deployment_claims(ctx), claim.id
        for machine in verdict["machines"]:
            assert machine["outcome"] in {outcome.value for outcome in Outcome}
            assert all((side["value"] > 0 or side["exact"]) and side["low"] <= side["high"]
                       for task in machine["tasks"] for side in task["sides"])
