"""Two cross-file checks: a composite entry is no stronger than its weakest claim, and prose does not call an
older version the latest one. Each with cases that must be flagged and cases that must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.kb.checks.schema_modeline import expected_line
from generator.kb.loader import load_knowledge_base
from generator.problems import Severity

from .tiny_kb import RECENT, edit, line_of

CLAIM = "claims/pytorch-is-pythonic.yaml"  # status: supported
TREND = "trends/edge-deployment.yaml"  # status: supported
PROS = "pros-cons/pytorch.yaml"

RELEASE = f"""\
id: pytorch
name: PyTorch
package: torch
aliases: [torch]
latest_version: "2.14.0"
released: {RECENT}
url: https://pypi.org/project/torch/2.14.0/
"""


def messages(data_dir: Path, severity: Severity) -> list[str]:
    return [p.format() for p in load_knowledge_base(data_dir).problems if p.severity is severity]


# --- composite status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part_status", "composite_status", "flagged"),
    [
        ("unverified", "supported", True),  # the case: edge + federated, federated unverified
        ("disputed", "supported", True),
        ("outdated", "disputed", True),
        ("unverified", "unverified", False),
        ("supported", "supported", False),
        ("supported", "disputed", False),  # weaker than its parts is allowed
        ("contradicted", "outdated", False),  # neither supports the statement: they rank equal
    ],
)
def test_a_trend_is_no_stronger_than_its_weakest_claim(kb_dir, part_status, composite_status, flagged):
    edit(kb_dir, CLAIM, "status: supported", f"status: {part_status}")
    edit(kb_dir, TREND, "status: supported", f"status: {composite_status}\nclaims: [pytorch-is-pythonic]")
    errors = messages(kb_dir, Severity.error)
    expected = (f"data/{TREND}:{line_of(kb_dir, TREND, 'status:')}: status '{composite_status}' is stronger than its "
                f"weakest part: claim 'pytorch-is-pythonic' is '{part_status}' — Tip: set the status to "
                f"'{part_status}'")
    assert any(message.startswith(expected) for message in errors) is flagged, errors


def test_a_pro_is_no_stronger_than_the_claim_it_restates(kb_dir):
    edit(kb_dir, CLAIM, "status: supported", "status: unverified")
    edit(kb_dir, PROS, "    status: supported\n    sources: [pytorch-docs]",
         "    status: supported\n    claims: [pytorch-is-pythonic]\n    sources: [pytorch-docs]")
    errors = messages(kb_dir, Severity.error)
    line = line_of(kb_dir, PROS, "status: supported")
    assert errors == [f"data/{PROS}:{line}: status 'supported' is stronger than its weakest part: claim "
                      "'pytorch-is-pythonic' is 'unverified' — Tip: set the status to 'unverified', or settle that "
                      "claim first"]


# --- stale versions -----------------------------------------------------------------------------------------


def with_release(kb_dir: Path) -> Path:
    folder = kb_dir / "releases"
    folder.mkdir()
    (folder / "pytorch.yaml").write_text(expected_line("releases") + "\n" + RELEASE, encoding="utf-8")
    return kb_dir


@pytest.mark.parametrize(
    ("evidence", "flagged"),
    [
        ("By 2026 PyTorch is at 2.13 and torch.export covers deployment.", True),  # the sentence
        ("The latest release is PyTorch 2.13.", True),
        ("torch 2.12 is the current version.", True),
        ("PyTorch 2.14 is the latest release.", False),  # the recorded one, at minor precision
        ("PyTorch 2.14.0 is the latest release.", False),
        ("PyTorch 2.0 was released in March 2023 with torch.compile.", False),  # history, not 'latest'
        ("PyTorch 2.0 introduced torch.compile in 2023, and a long list of later features, tools and releases"
         " followed; the newest are on the releases page.", False),  # 'newest' is not about 2.0
    ],
)
def test_prose_calling_an_older_version_the_latest_is_flagged(kb_dir, evidence, flagged):
    with_release(kb_dir)
    edit(kb_dir, CLAIM, "evidence: The docs show plain Python control flow in models.", f"evidence: {evidence}")
    warnings = messages(kb_dir, Severity.warning)
    line = line_of(kb_dir, CLAIM, "evidence:")
    hits = [w for w in warnings if w.startswith(f"data/{CLAIM}:{line}: warning: says ")]
    assert bool(hits) is flagged, warnings
    if flagged:
        assert "but PyTorch 2.14.0 is recorded (data/releases/pytorch.yaml) — Tip: update the sentence" in hits[0]


def test_without_release_facts_nothing_is_flagged(kb_dir):
    edit(kb_dir, CLAIM, "evidence: The docs show plain Python control flow in models.",
         "evidence: The latest release is PyTorch 2.13.")
    assert messages(kb_dir, Severity.warning) == []
