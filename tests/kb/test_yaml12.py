"""The validator reads values as contributors' editors do (YAML 1.2), not as PyYAML's YAML 1.1 would.

The oracle is check-jsonschema, which CI-minded contributors and editors' JSON Schema support run on the same file:
for every former YAML 1.1 surprise, ``invoke validate`` and check-jsonschema must both accept the file or both
refuse it.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from check_jsonschema.parsers.yaml import construct_yaml_implementation

from generator.kb import yamlsource
from generator.kb.loader import load_knowledge_base
from generator.kb.schema import write_schemas

from .tiny_kb import edit

# (file, text replaced, replacement, accepted by a YAML 1.2 reader)
SURPRISES = [
    ("claims/pytorch-is-pythonic.yaml", "section: Ease of Use", "section: no", True),
    ("claims/pytorch-is-pythonic.yaml", "section: Ease of Use", "section: yes", True),
    ("claims/pytorch-is-pythonic.yaml", "section: Ease of Use", "section: on", True),
    ("claims/pytorch-is-pythonic.yaml", "section: Ease of Use", "section: off", True),
    ("claims/pytorch-is-pythonic.yaml", "section: Ease of Use", "section: 1:30", True),
    ("claims/pytorch-is-pythonic.yaml", "section: Ease of Use", "section: 1_000", False),
    ("topics/ease-of-use.yaml", "order: 1", "order: 1_000", True),
    ("topics/ease-of-use.yaml", "order: 1", "order: 0o17", True),
    ("topics/ease-of-use.yaml", "order: 1", "order: 1:30", False),
    ("claims/pytorch-is-pythonic.yaml", "section: Ease of Use", "section: 0o17", False),
    # the evidence rule is in the schema too, so the editor flags an unsourced verdict as the validator does
    ("claims/pytorch-is-pythonic.yaml",
     "measured_by: [image-classification]\ncompares:\n  metric: throughput\n  phase: train\n  within_percent: 50\n"
     "sources:\n  - pytorch-docs\n", "", False),
    ("claims/pytorch-is-pythonic.yaml", "sources:\n  - pytorch-docs\n", "", True),  # measured, that is evidence
]


def _check_jsonschema_accepts(schema: Path, file: Path) -> bool:
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), str(file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stdout + run.stderr  # 1 = the file fails the schema; others: a crash
    return run.returncode == 0


@pytest.mark.parametrize(
    ("file", "old", "new", "accepted"), SURPRISES, ids=[new or f"without {old.split(':')[0]}" for _, old, new, _ in SURPRISES]
)
def test_editor_and_validator_agree(kb_dir: Path, tmp_path: Path, file: str, old: str, new: str,
                                    accepted: bool) -> None:
    edit(kb_dir, file, old, new)
    [schema] = [path for path in write_schemas(tmp_path / "schema") if path.name == file.split("/")[0] + ".schema.json"]
    errors = [problem for problem in load_knowledge_base(kb_dir).errors if problem.path == f"data/{file}"]
    assert _check_jsonschema_accepts(schema, kb_dir / file) is accepted
    assert (not errors) is accepted, errors


PLAIN_SCALARS = [
    "no", "yes", "on", "off", "y", "n", "Yes", "true", "FALSE", "~", "null", "Null", "",
    "1_000", "1__0", "_1", "0o17", "0o8", "017", "-017", "08", "0b11", "-0b1_1", "0x1F", "-0x1F", "0x_1", "0x",
    "1:30", "1:30:00", "1:30.5", "1.", "1e3", "1E3", "1.5e+3", ".5e3", ".5e+3", "+.5", "1_0.5", "12e",
    ".inf", "-.inf", ".NaN", "nan", "2024-05-01", "2024-05-01 10:00:00", "2024-02-30", "+", ".",
]  # fmt: skip


@pytest.mark.parametrize("scalar", PLAIN_SCALARS)
def test_every_plain_scalar_gets_the_type_check_jsonschema_gives_it(scalar: str) -> None:
    text = f"value: {scalar}\n"
    theirs = construct_yaml_implementation().load(text)["value"]
    problems: list[yamlsource.YamlProblem] = []
    ours = yamlsource.build(yamlsource.compose(text), problems)["value"]  # type: ignore[index]
    assert problems == []
    assert type(ours) is type(theirs)
    assert ours == theirs or (isinstance(ours, float) and math.isnan(ours) and math.isnan(theirs))
