from __future__ import annotations

from pathlib import Path

import pytest

from .tiny_kb import write_kb


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A valid tiny knowledge base at ``tmp_path/data``."""
    return write_kb(tmp_path)
