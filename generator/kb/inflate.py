"""A knowledge base ``factor`` times larger than the real one, for the build-speed benchmark.

Copy 0 keeps the original ids; copy ``k`` renames every entry ``<id>-copy<k>`` and rewrites every reference in it
(sources, claims, topics, benchmark tasks, frameworks, and framework-keyed mappings) to the same copy, so the
result validates as cleanly as the original and has the same shape, only bigger.

    python -m generator.kb.inflate DATA_DIR OUT_DIR [FACTOR]
"""

from __future__ import annotations

import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from generator.kb.checks.references import KEYED_BY_FRAMEWORK, REFERENCE_FIELDS
from generator.kb.checks.schema_modeline import expected_line
from generator.kb.loader import load_knowledge_base

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

MAX_ID_LENGTH = 80


class InflateError(Exception):
    """The source knowledge base is not valid; inflating it would only multiply its errors."""


def inflate(data_dir: Path, out_dir: Path, factor: int = 100) -> int:
    """Write ``factor`` copies of every entry of ``data_dir`` into ``out_dir``; returns the number of files."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    result = load_knowledge_base(data_dir)
    if result.errors:
        raise InflateError(f"{data_dir} has {len(result.errors)} errors; run the validator first")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    written = 0
    for entry in result.entries:
        assert entry.model is not None
        document = _plain(entry.model.model_dump(mode="python", exclude_none=True))
        folder = out_dir / entry.collection
        folder.mkdir(parents=True, exist_ok=True)
        for copy in range(factor):
            renamed = _rename(document, _suffix(copy), top=True)
            text = yaml.dump(renamed, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
            (folder / f"{renamed['id']}.yaml").write_text(
                f"{expected_line(entry.collection)}\n{text}", "utf-8"
            )
            written += 1
    return written


def _suffix(copy: int) -> str:
    return f"-copy{copy}" if copy else ""


def _new_id(entry_id: str, suffix: str) -> str:
    return entry_id[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix if suffix else entry_id


def _rename(value: Any, suffix: str, *, top: bool = False, keyed: bool = False) -> Any:
    """A copy of ``value`` with its own id (``top``) and every reference in it given ``suffix``.

    ``keyed``: ``value`` is a mapping keyed by framework id, whose keys are references too.
    """
    if isinstance(value, list):
        return [_rename(item, suffix) for item in value]
    if not isinstance(value, dict):
        return value
    renamed = {}
    for key, item in value.items():
        if keyed:
            renamed[_new_id(key, suffix)] = _rename(item, suffix)
        elif (top and key == "id") or key in REFERENCE_FIELDS:
            renamed[key] = (
                [_new_id(ref, suffix) for ref in item] if isinstance(item, list) else _new_id(item, suffix)
            )
        else:
            renamed[key] = _rename(item, suffix, keyed=key in KEYED_BY_FRAMEWORK)
    return renamed


def _plain(value: Any) -> Any:
    """Enums to their values, so the YAML dumper writes plain text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print(__doc__)
        return 2
    factor = int(args[2]) if len(args) == 3 else 100
    count = inflate(Path(args[0]), Path(args[1]), factor)
    print(f"wrote {count} files to {args[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
