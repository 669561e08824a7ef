"""The committed JSON Schemas are current, valid draft-07, and agree with the pydantic models on real files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.kb.models import COLLECTIONS
from generator.kb.schema import rendered, write_schemas

from .tiny_kb import VALID_FILES, edit

REPO = Path(__file__).resolve().parents[2]


class _EditorLoader(yaml.SafeLoader):
    """Reads YAML the way the editor's YAML 1.2 language server does: dates stay text."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _validator(collection: str) -> jsonschema.Draft7Validator:
    schema = json.loads((REPO / "schema" / f"{collection}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_committed_schemas_are_current() -> None:
    """If this fails, run `invoke schema` (python -m generator.kb.schema) and commit schema/."""
    expected = rendered()
    committed = {path.name: path.read_text(encoding="utf-8") for path in (REPO / "schema").glob("*.json")}
    assert sorted(committed) == sorted(expected)
    for name, content in expected.items():
        assert committed[name] == content, f"schema/{name} is stale: run `invoke schema`"


def test_one_schema_per_collection_plus_the_api(tmp_path: Path) -> None:
    written = write_schemas(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        [f"{collection}.schema.json" for collection in COLLECTIONS] + ["kb.schema.json"]
    )
    for path in written:
        jsonschema.Draft7Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.parametrize("key", list(VALID_FILES), ids=["/".join(key) for key in VALID_FILES])
def test_valid_files_pass_the_editor_schema(kb_dir: Path, key: tuple[str, str]) -> None:
    collection, entry_id = key
    document = yaml.load((kb_dir / collection / f"{entry_id}.yaml").read_text(), Loader=_EditorLoader)
    errors = list(_validator(collection).iter_errors(document))
    assert errors == []


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("claims/pytorch-is-pythonic.yaml", "status: supported", "status: proven"),
        ("frameworks/pytorch.yaml", "license: BSD-3-Clause", "license: BSD-3-Clause\nlicence: MIT"),
        (
            "sources/pytorch-docs.yaml",
            "url: https://pytorch.org/docs/stable/index.html",
            "url: javascript:alert(1)",
        ),
        ("topics/ease-of-use.yaml", "order: 1", 'order: "1"'),
        ("aspects/debugging.yaml", "verdict: Both debug well in eager mode.\n", ""),
        ("faq/which-is-faster.yaml", "id: which-is-faster", "id: Which"),
    ],
)
def test_editor_schema_flags_the_same_mistakes(kb_dir: Path, file: str, old: str, new: str) -> None:
    edit(kb_dir, file, old, new)
    document = yaml.load((kb_dir / file).read_text(), Loader=_EditorLoader)
    assert list(_validator(file.split("/")[0]).iter_errors(document))


def test_api_schema_describes_a_dumped_knowledge_base(kb_dir: Path) -> None:
    from generator.kb.loader import load_knowledge_base

    kb = load_knowledge_base(kb_dir).kb
    assert kb is not None
    document = {**kb.model_dump(mode="json"), "generated_at": "2026-01-01T00:00:00+00:00"}
    schema = json.loads((REPO / "schema/kb.schema.json").read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(document)) == []
