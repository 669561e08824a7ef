"""The scheduled version refresh, run offline from recorded PyPI answers (``pypi_responses/``, PyPI's JSON shape,
trimmed to the last versions), and the hardened workflow that runs it."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from generator.kb.checks.schema_modeline import expected_line
from generator.kb.loader import load_knowledge_base

REPO_ROOT = Path(__file__).resolve().parents[2]
RESPONSES = Path(__file__).with_name("pypi_responses")
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "refresh-versions.yml"

_spec = importlib.util.spec_from_file_location("refresh_versions", REPO_ROOT / "tools" / "refresh_versions.py")
refresh_versions = sys.modules.setdefault("refresh_versions", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(refresh_versions)

STALE_TORCH = """\
# a comment the refresh must keep
id: pytorch
name: PyTorch
package: torch
aliases: [torch]
latest_version: "2.13.0"
released: 2026-07-08
url: https://pypi.org/project/torch/2.13.0/
"""
CURRENT_TENSORFLOW = """\
id: tensorflow
name: TensorFlow
package: tensorflow
latest_version: "2.21.0"
released: 2026-03-06
url: https://pypi.org/project/tensorflow/2.21.0/
"""


def write_releases(kb_dir: Path, **files: str) -> Path:
    folder = kb_dir / "releases"
    folder.mkdir(exist_ok=True)
    for name, body in files.items():
        (folder / f"{name}.yaml").write_text(expected_line("releases") + "\n" + body, encoding="utf-8")
    return folder


def test_a_new_release_on_pypi_changes_exactly_the_three_fields(kb_dir, tmp_path, capsys):
    folder = write_releases(kb_dir, pytorch=STALE_TORCH, tensorflow=CURRENT_TENSORFLOW)
    before = (folder / "tensorflow.yaml").read_bytes()
    summary = tmp_path / "summary.md"
    status = refresh_versions.main(["--data", str(kb_dir), "--responses", str(RESPONSES), "--summary", str(summary)])
    assert status == 0
    expected = STALE_TORCH.replace('"2.13.0"', '"2.15.0"').replace("2026-07-08", "2026-10-28").replace(
        "torch/2.13.0/", "torch/2.15.0/")
    assert (folder / "pytorch.yaml").read_text(encoding="utf-8") == expected_line("releases") + "\n" + expected
    # TensorFlow is current: its file is untouched, and its newer pre-release (2.22.0rc0) is not "the latest".
    assert (folder / "tensorflow.yaml").read_bytes() == before
    out = capsys.readouterr().out
    assert out.strip() == "- `torch`: 2.13.0 → **2.15.0** (uploaded 2026-10-28), https://pypi.org/project/torch/2.15.0/"
    assert "2.13.0 → **2.15.0**" in summary.read_text(encoding="utf-8")
    loaded = load_knowledge_base(kb_dir)  # the refreshed file is valid data
    assert loaded.kb is not None and {r.latest_version for r in loaded.kb.releases} == {"2.15.0", "2.21.0"}


def test_nothing_new_changes_nothing_and_leaves_the_summary_empty(kb_dir, tmp_path):
    write_releases(kb_dir, tensorflow=CURRENT_TENSORFLOW)
    summary = tmp_path / "summary.md"
    assert refresh_versions.main(["--data", str(kb_dir), "--responses", str(RESPONSES),
                                  "--summary", str(summary)]) == 0
    assert summary.read_text(encoding="utf-8") == ""  # the workflow opens no pull request


def test_the_date_is_the_first_upload_of_that_version_in_utc():
    answer = json.loads((RESPONSES / "torch.json").read_text(encoding="utf-8"))
    uploads = sorted(item["upload_time_iso_8601"] for item in answer["releases"]["2.15.0"])
    latest = refresh_versions.latest_release("torch", answer)
    assert (latest.version, latest.released.isoformat()) == ("2.15.0", uploads[0][:10])


def test_a_yanked_release_is_not_a_release(tmp_path):
    answer = json.loads((RESPONSES / "keras.json").read_text(encoding="utf-8"))
    for item in answer["releases"][answer["info"]["version"]]:
        item["yanked"] = True
    with pytest.raises(refresh_versions.AnswerError, match="no file that is not yanked"):
        refresh_versions.latest_release("keras", answer)


def test_an_unreadable_answer_is_one_line_exit_1_and_no_change(kb_dir, tmp_path, capsys):
    folder = write_releases(kb_dir, pytorch=STALE_TORCH.replace("package: torch", "package: no-such-package"))
    before = (folder / "pytorch.yaml").read_bytes()
    assert refresh_versions.main(["--data", str(kb_dir), "--responses", str(RESPONSES)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{folder / 'pytorch.yaml'}: could not get PyPI's answer")
    assert "Traceback" not in err[0] and " — retry later" in err[0]
    assert (folder / "pytorch.yaml").read_bytes() == before


def test_the_repository_release_files_are_what_the_refresh_would_write(tmp_path):
    """Every release file in data/ is in the refresh's own format (so a refresh rewrites only what changed)."""
    for path in sorted((REPO_ROOT / "data" / "releases").glob("*.yaml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert entry["url"] == f"https://pypi.org/project/{entry['package']}/{entry['latest_version']}/", path
        assert isinstance(entry["latest_version"], str), path


# --- the workflow -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_runs_on_a_schedule_one_at_a_time(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert workflow["concurrency"]["group"] == "refresh-versions"
    assert workflow["permissions"] == {}  # nothing by default; the job asks for what it needs


def test_every_action_is_pinned_by_full_commit_sha_with_its_version(workflow):
    text = WORKFLOW.read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.search(r"#\s*v\d+\.\d+\.\d+", comment), f"{action} has no version comment"


def test_each_job_states_its_permissions_and_the_checkout_keeps_no_credentials(workflow):
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_the_workflow_runs_the_refresh_and_proposes_only_data_releases(workflow):
    steps = workflow["jobs"]["refresh"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "python tools/refresh_versions.py --summary" in runs
    assert "git add data/releases" in runs and "gh pr create" in runs
