"""api/results.csv and api/results.json: one row per measurement, the documented columns, gaps left empty."""

from __future__ import annotations

import csv
import io
import json

from generator.results.load import load_results
from generator.results.table import COLUMNS
from generator.site import environments

from .conftest import make_context
from .result_factory import environment, performance, write

REQUIRED = ["task", "framework", "framework_version", "mode", "precision", "phase", "batch_size", "device",
            "throughput_samples_per_s", "latency_ms_p50", "peak_memory_mb", "utilisation", "measured_at",
            "result_id"]


def _csv_rows(ctx) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(environments.results_csv(ctx).decode("utf-8")))
    return list(reader.fieldnames or []), list(reader)


def test_csv_has_the_documented_columns(ctx):
    header, _ = _csv_rows(ctx)
    assert header == list(COLUMNS)
    assert set(REQUIRED) <= set(header)


def test_csv_has_one_row_per_quiet_ok_measurement(ctx):
    _, rows = _csv_rows(ctx)
    assert len(rows) == len(ctx.results.compared) == len(ctx.results.frame)
    ids = {row["result_id"] for row in rows}
    assert "synthetic-busy-run" not in ids and not any(i.startswith("synthetic-failed") for i in ids)


def test_missing_values_are_empty_never_zero(ctx):
    _, rows = _csv_rows(ctx)
    bert = [r for r in rows if r["task"] == "sentiment-analysis" and r["phase"] == "inference"]
    assert bert and all(r["peak_memory_mb"] == "" for r in bert)
    batch8 = [r for r in rows if r["batch_size"] == "8"]
    assert batch8 and all(r["latency_ms_p50"] == "" for r in batch8)
    assert all(float(r["throughput_samples_per_s"]) > 0 for r in rows)


def test_json_matches_the_csv_and_lists_what_was_left_out(ctx):
    document = json.loads(environments.results_json(ctx))
    assert document["columns"] == COLUMNS
    assert len(document["measurements"]) == len(ctx.results.frame)
    assert document["excluded_busy"] == ["synthetic-busy-run"]
    [failure] = document["failed"]
    assert failure["failure"] == "oom" and "ran out of memory" in failure["message"]
    bert = [m for m in document["measurements"] if m["task"] == "sentiment-analysis"]
    assert any(m["peak_memory_mb"] is None for m in bert)


def test_csv_cells_cannot_become_spreadsheet_formulas(knowledge_base, tmp_path):
    hostile = performance().model_copy(update={"environment": environment(machine_label="=HYPERLINK(\"x\")")})
    write(tmp_path, hostile)
    _, [row] = _csv_rows(make_context(knowledge_base, load_results(tmp_path)))
    assert row["machine_label"].startswith("'=")


def test_the_downloads_page_documents_every_column(ctx):
    page = next(p for p in environments.pages(ctx) if getattr(p, "path", "") == environments.DOWNLOADS_PAGE)
    for column in COLUMNS:
        assert f"| `{column}` |" in page.markdown
    assert "(../api/results.csv)" in page.markdown and "(../api/results.json)" in page.markdown
