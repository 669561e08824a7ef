"""A deployment claim's measured verdict as a reader meets it: on the fact-check page and in ``api/kb.json``, from
the repository's own knowledge base with synthetic deployment cells in place of the results."""

from __future__ import annotations

import dataclasses
import html
import json

import pytest

from generator.results.load import ResultSet
from generator.site import api, factcheck
from tests.results.deployment_factory import TF_PATHS, TORCH_PATHS, cell, matrix
from tests.site.conftest import claim_block

CLAIM = "tensorflow-better-deployment-tools"
ONNX_CLAIM = "faq-both-together-onnx"
HOSTILE = '<script>alert("x")</script> exporter raised'


@pytest.fixture
def ctx(repo_ctx):
    cells = matrix({"torch-litert": "export-failed", "torch-executorch": "not-installable"}) + [
        cell("torch-aoti", "sentiment-analysis", "export-failed", message=HOSTILE)]
    cells += [cell(path, "sentiment-analysis") for path in TF_PATHS + TORCH_PATHS if path != "torch-aoti"]
    return dataclasses.replace(repo_ctx, results=ResultSet(results=cells))


def test_the_factcheck_page_shows_the_coverage_verdict_with_its_numbers(ctx):
    (page,) = factcheck.pages(ctx)
    raw = claim_block(page.markdown, CLAIM)
    block = html.unescape(raw)
    assert ">holds</span> on " in block and "SYNTHETIC test machine" in block and "deploy suite" in block
    assert "TensorFlow comes out ahead in the share of export paths that work, over every model " \
           "(export paths: all)" in block
    assert f"TensorFlow {2 * len(TF_PATHS)} of {2 * len(TF_PATHS)} cells work (100%)" in block
    assert f"PyTorch {2 * len(TORCH_PATHS) - 3} of {2 * len(TORCH_PATHS)} cells work (70%)" in block
    assert "torch-litert (ResNet-50): synthetic: the converter raised" in block
    assert "<script>" not in raw and "&lt;script&gt;" in raw  # a result's error text stays inert
    assert "every path, with its numbers" in block  # the full evidence: the deployment page, linked
    # Measurements are shown once per claim: the verdict's counts, not the deployment summary again beside them.
    assert block.count(f"{2 * len(TF_PATHS)} of {2 * len(TF_PATHS)} cells work") == 1


def test_an_onnx_claim_counts_only_the_onnx_paths(ctx):
    (page,) = factcheck.pages(ctx)
    block = html.unescape(claim_block(page.markdown, ONNX_CLAIM))
    assert ">holds</span> on " in block and "within 10 percentage points" in block
    assert "TensorFlow 2 of 2 cells work (100%)" in block and "PyTorch 2 of 2 cells work (100%)" in block


def test_kb_json_carries_the_deployment_verdict_with_its_numbers(ctx):
    document = json.loads(json.dumps(api.kb_document(ctx)))
    verdict = document["measured_verdicts"][CLAIM]
    (machine,) = verdict["machines"]
    assert machine["outcome"] == "holds" and machine["anchor"]
    (task,) = machine["tasks"]
    assert task["task"] == "deployment" and "failed: " in task["detail"]
    sides = {side["framework"]: side for side in task["sides"]}
    assert (sides["tensorflow"]["value"], sides["pytorch"]["value"]) == (2 * len(TF_PATHS), 2 * len(TORCH_PATHS) - 3)
    assert sides["pytorch"]["exact"] is True and sides["pytorch"]["unit"] == f" of {2 * len(TORCH_PATHS)} cells work (70%)"
    # the human status (disputed) is not what 'holds' calls for: the API says what the measurements call for
    assert verdict["status"] == "disputed" and verdict["measurements_call_for"] == "supported"
