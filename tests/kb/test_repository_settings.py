"""Editors and git are told what the validator accepts: UTF-8 without BOM, LF line ends, spaces."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_editorconfig_asks_for_utf8_lf_and_spaces() -> None:
    config = configparser.ConfigParser(inline_comment_prefixes=("#",))
    config.read_string("[root]\n" + (REPO_ROOT / ".editorconfig").read_text(encoding="utf-8"))
    everything = config["*"]
    assert (everything["charset"], everything["end_of_line"], everything["indent_style"]) == ("utf-8", "lf", "space")
    assert config["*.{yaml,yml,json}"]["indent_size"] == "2"


def test_git_checks_out_data_files_with_lf(tmp_path: Path) -> None:
    run = subprocess.run(
        ["git", "check-attr", "text", "eol", "--", "data/claims/new.yaml", "generator/cli.py"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )
    assert run.stdout.count(": eol: lf") == 2 and run.stdout.count(": text: auto") == 2, run.stdout
