"""``invoke new``: the scaffold names every field to fill, lists the allowed values, and passes nothing unfilled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.cli import main as cli
from generator.kb.loader import load_knowledge_base
from generator.kb.models import COLLECTIONS, ClaimStatus
from generator.kb.scaffold import scaffold

from .tiny_kb import edit

TODAY = dt.date.today()


def test_the_claim_scaffold_asks_for_sources_and_lists_the_statuses() -> None:
    lines = scaffold("claims", "new-claim", TODAY).splitlines()
    [status] = [line for line in lines if line.startswith("status:")]
    assert "one of: " + ", ".join(status.value for status in ClaimStatus) in status
    [sources] = [line for line in lines if line.startswith("sources:")]
    assert "data/sources/" in sources and "unless the status is 'unverified'" in sources


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_an_unfilled_scaffold_fails_on_every_todo_line(collection: str, kb_dir: Path, capsys) -> None:
    assert cli(["new", collection, "new-entry", "--data", str(kb_dir)]) == 0
    path = kb_dir / collection / "new-entry.yaml"
    # a claim's empty sources are refused by the evidence check once the rest is filled (next test)
    todo_lines = {
        number
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "# TODO" in line and not (collection == "claims" and line.startswith("sources:"))
    }
    errors = [
        error for error in load_knowledge_base(kb_dir).errors if error.path.endswith(f"{collection}/new-entry.yaml")
    ]
    assert todo_lines and {error.line for error in errors} == todo_lines, errors
    assert not any("YAML" in error.message for error in errors)  # the scaffold itself is well-formed YAML


def test_a_filled_claim_scaffold_validates_once_it_cites_evidence(kb_dir: Path) -> None:
    assert cli(["new", "claims", "new-claim", "--data", str(kb_dir)]) == 0
    for field, value in {
        "quote": "PyTorch is easy.",
        "section": "Ease of Use",
        "status": "supported",
        "evidence": "The docs show it.",
    }.items():
        text = (kb_dir / "claims/new-claim.yaml").read_text()
        [line] = [line for line in text.splitlines() if line.startswith(f"{field}:")]
        edit(kb_dir, "claims/new-claim.yaml", line, f"{field}: {value}")
    [error] = [error for error in load_knowledge_base(kb_dir).errors if error.path.endswith("new-claim.yaml")]
    assert "cites no evidence" in error.message
    [sources] = [line for line in (kb_dir / "claims/new-claim.yaml").read_text().splitlines() if "sources:" in line]
    edit(kb_dir, "claims/new-claim.yaml", sources, "sources: [pytorch-docs]")
    assert [error for error in load_knowledge_base(kb_dir).problems if error.path.endswith("new-claim.yaml")] == []


def test_new_refuses_an_invalid_id_and_suggests_a_valid_one(kb_dir: Path, capsys) -> None:
    assert cli(["new", "claims", "New-contrib-claim", "--data", str(kb_dir)]) == 1
    assert "e.g. 'new-contrib-claim'" in capsys.readouterr().err
    assert not (kb_dir / "claims/New-contrib-claim.yaml").exists()
