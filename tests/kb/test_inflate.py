"""The inflated knowledge base (for the build-speed benchmark) is as valid as the original, only bigger."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.kb.inflate import InflateError, inflate
from generator.kb.loader import load_knowledge_base

from .tiny_kb import VALID_FILES, edit


def test_inflated_knowledge_base_validates_cleanly(kb_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "big" / "data"
    assert inflate(kb_dir, out, factor=5) == 5 * len(VALID_FILES)
    result = load_knowledge_base(out)
    assert result.problems == []
    kb = result.kb
    assert kb is not None and len(kb.sources) == 15 and len(kb.frameworks) == 10
    aspect = {aspect.id: aspect for aspect in kb.aspects}["debugging-copy3"]
    assert aspect.topic == "ease-of-use-copy3"
    assert sorted(aspect.per_framework) == ["pytorch-copy3", "tensorflow-copy3"]
    assert aspect.sources == ["pytorch-docs-copy3", "tensorflow-docs-copy3"]
    pros = {entry.id: entry for entry in kb.pros_cons}["pytorch-copy3"]
    assert pros.framework == "pytorch-copy3" and pros.pros[0].sources == ["pytorch-docs-copy3"]
    original = load_knowledge_base(kb_dir).kb
    assert original is not None
    assert {claim.id: claim for claim in kb.claims}["pytorch-is-pythonic"] == original.claims[0]


def test_an_invalid_knowledge_base_is_not_inflated(kb_dir: Path, tmp_path: Path) -> None:
    edit(kb_dir, "claims/pytorch-is-pythonic.yaml", "status: supported", "status: proven")
    with pytest.raises(InflateError):
        inflate(kb_dir, tmp_path / "big", factor=2)
