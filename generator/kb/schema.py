"""``invoke schema``: write the JSON Schemas of the data files (and of the JSON API) into ``schema/``.

The files are committed, so an editor finds them without running anything: every ``data/<collection>/*.yaml``
starts with ``# yaml-language-server: $schema=../../schema/<collection>.schema.json`` and VS Code's YAML extension
then autocompletes fields and flags mistakes as you type. That extension implements JSON Schema draft-07, so the
schemas are written in draft-07 form (``definitions``, no keywords beside a ``$ref``) rather than pydantic's
default 2020-12. A test keeps the committed files equal to what this module writes.

    python -m generator.kb.schema [OUT_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.kb.models import COLLECTIONS, SCHEMA_VERSION, KnowledgeBase

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


# Cross-field rules of the checks that an editor can also apply as you type (checks/claim_support.py).
EVIDENCE_RULE = {
    "if": {"properties": {"status": {"not": {"const": "unverified"}}}, "required": ["status"]},
    "then": {
        "anyOf": [
            {"properties": {"sources": {"minItems": 1}}, "required": ["sources"]},
            {"properties": {"measured_by": {"minItems": 1}}, "required": ["measured_by"]},
        ],
        "description": "A status other than 'unverified' needs evidence: at least one source or measurement.",
    },
}


def collection_schema(collection: str) -> dict[str, Any]:
    """The schema of one file in ``data/<collection>/``."""
    model = COLLECTIONS[collection]
    schema = _draft07(model, mode="validation")
    schema["title"] = f"Framework Atlas: one entry of data/{collection}/"
    if collection == "claims":
        schema.update(EVIDENCE_RULE)
    return schema


def api_schema() -> dict[str, Any]:
    """The schema of ``site/api/kb.json``: the whole knowledge base plus when it was generated."""
    schema = _draft07(KnowledgeBase, mode="serialization")
    schema["title"] = f"Framework Atlas knowledge base API (schema_version {SCHEMA_VERSION})"
    schema["properties"]["generated_at"] = {
        "type": "string",
        "format": "date-time",
        "description": "When the site build wrote this file (UTC, ISO 8601).",
    }
    return schema


def _draft07(model: type[BaseModel], *, mode: str) -> dict[str, Any]:
    raw = model.model_json_schema(mode=mode, ref_template="#/definitions/{model}")  # type: ignore[arg-type]
    definitions = raw.pop("$defs", {})
    schema: dict[str, Any] = {"$schema": DRAFT_07, **raw}
    if definitions:
        schema["definitions"] = dict(sorted(definitions.items()))
    return _isolate_refs(schema)


def _isolate_refs(node: Any) -> Any:
    """Draft-07 ignores keywords next to ``$ref``: move the ref into ``allOf`` so the siblings still count."""
    if isinstance(node, list):
        return [_isolate_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _isolate_refs(value) for key, value in node.items()}
    if "$ref" in node and len(node) > 1:
        ref = node.pop("$ref")
        node["allOf"] = [{"$ref": ref}]
    return node


def rendered() -> dict[str, str]:
    """File name → exact file content, for writing and for the test that keeps schema/ current."""
    files = {f"{collection}.schema.json": collection_schema(collection) for collection in COLLECTIONS}
    files["kb.schema.json"] = api_schema()
    return {name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n" for name, schema in files.items()}


def write_schemas(out_dir: Path = Path("schema")) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in rendered().items():
        path = out_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_schemas(Path(args[0]) if args else Path("schema")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
