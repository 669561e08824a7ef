"""The answer first: who was faster, by how much, and whether accuracy differed, computed from the results.

The home page, the benchmarks overview and each task page open with this block so that a reader gets the measured
answer in one screen before any table. It is computed from the same comparison rows as the benchmark tables
(:func:`generator.site.benchmarks.comparisons`): per task, machine and phase, each framework's *best* mode (its
fastest measured mode) at each measured precision, with the benchmark pages' rule for a winner (the two 95%
intervals do not overlap). Accuracy comes from :func:`generator.bench.accuracy.stats.summarise_all`, as on the
accuracy page. Nothing here is typed by hand: every sentence is built from measured figures and their ratios, and
a task nobody measured says so.

The block is HTML (inside a raw ``atlas-block`` on a Markdown page) so that the knowledge-base pages (HTML) and the results pages (Markdown)
show the same thing; its links are the relative URLs MkDocs writes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.site import raw_blocks
from generator.site.charts import PHASE_LABELS, PRECISION_ORDER, number
from generator.site.markup import relative_url, render

ACCURACY_PAGE = "benchmarks/accuracy.md"
USE_CASES_PAGE = "use-cases.md"
GLOSSARY_PAGE = "glossary.md"


@dataclass(frozen=True)
class Finding:
    """One phase of one task on one machine: the best-of-each comparison at every measured precision."""

    task_id: str
    task_title: str
    machine: Any  # generator.site.benchmarks.Machine
    phase: str
    comparisons: tuple[Any, ...]  # benchmarks.Comparison, one per precision, both frameworks measured


def best_comparisons(compared: list[Any]) -> list[Any]:
    """Per phase and precision, the comparison of each framework's best mode; where a framework measured a single
    mode, that mode's comparison is its best. Only comparisons with every framework measured count."""
    chosen: dict[tuple[str, str], Any] = {}
    for comparison in compared:
        if len(comparison.measured) < len(comparison.cells):
            continue
        key = (comparison.phase, comparison.precision)
        if comparison.mode == "best" or key not in chosen:
            chosen[key] = comparison
    return [chosen[key] for key in sorted(chosen, key=lambda k: (k[0] != "train", PRECISION_ORDER.index(k[1])))]


def findings(groups: list[tuple[Any, Any]], task_ids: tuple[str, ...], titles: dict[str, str],
             names: dict[str, str], compare: Any) -> list[Finding]:
    """Every (task, machine, phase) with at least one complete comparison, in task order then machine order."""
    result = []
    for task_id in task_ids:
        for machine, rows in groups:
            task_rows = rows[rows["task"] == task_id]
            if task_rows.empty:
                continue
            best = best_comparisons(compare(task_rows, task_id, names))
            for phase in dict.fromkeys(c.phase for c in best):
                result.append(Finding(task_id, titles[task_id], machine, phase,
                                      tuple(c for c in best if c.phase == phase)))
    return result


def ratio(comparison: Any) -> float:
    fast, slow = sorted((row.throughput_samples_per_s for row in comparison.measured), reverse=True)[:2]
    return fast / slow


def phrase(comparison: Any, *, figures: bool) -> str:
    """``PyTorch 1.62× faster in fp32 (5.95 vs 3.66 samples/s)`` or ``too close to call in fp32 (1.06×)``."""
    winner = comparison.winner()
    rows = sorted(comparison.cells.items(), key=lambda item: -item[1].throughput_samples_per_s)
    detail = ""
    if figures:
        detail = " vs ".join(f"{comparison.names[fw]} {number(row.throughput_samples_per_s)}" for fw, row in rows)
        detail = f" ({detail} samples/s)"
    if winner is None:
        return f"too close to call in {comparison.precision} ({ratio(comparison):.2f}×, intervals overlap){detail}"
    return f"{comparison.names[winner]} {ratio(comparison):.2f}× faster in {comparison.precision}{detail}"


def tally(found: list[Finding]) -> Counter:
    """How many best-of-each comparisons each framework won; ``None`` counts the ones too close to call."""
    return Counter(comparison.winner() for finding in found for comparison in finding.comparisons)


def summary(found: list[Finding], names: dict[str, str], *, tally_line: bool = True) -> str:
    """One sentence over every comparison: who won how many, the largest gap, and what that means for a choice
    (only the last with ``tally_line=False``, for a page about one task, whose lines say the rest)."""
    counts = tally(found)
    total = sum(counts.values())
    if not total:
        return "Nothing has been measured in both frameworks yet, so the speed question is open."
    parts = [f"{names[fw]} was faster in {counts[fw]}" for fw in sorted(names, key=lambda f: -counts[f]) if counts[fw]]
    close = counts[None]
    wins = " and ".join(parts) if parts else "neither framework was faster in any"
    sentence = f"In each framework's best mode, {wins} of {total} comparisons"
    sentence += f"; {close} {'was' if close == 1 else 'were'} too close to call." if close else "."
    decided = [(ratio(c), f, c) for f in found for c in f.comparisons if c.winner() is not None]
    if decided:
        gap, finding, comparison = max(decided, key=lambda item: item[0])
        sentence += (f" The largest gap: {names[comparison.winner()]} {gap:.2f}× faster "
                     f"({finding.task_title}, {PHASE_LABELS[finding.phase].lower()}, {comparison.precision}).")
    leaders = [fw for fw in names if counts[fw] and counts[fw] == max(counts[f] for f in names)]
    others = total - (counts[leaders[0]] if leaders else 0)
    if len(leaders) == 1 and counts[leaders[0]] > others:
        choice = (f"For a choice: speed favours {names[leaders[0]]} on the machines measured, but not in every "
                  "setup, so check the task and precision you care about.")
    else:
        choice = "For a choice: speed does not single out one framework here; decide on the use case."
    return f"{sentence} {choice}" if tally_line else choice


def machines_line(found: list[Finding]) -> str:
    machines = list(dict.fromkeys(finding.machine.where for finding in found))
    if not machines:
        return ""
    kinds = {finding.machine.device for finding in found}
    caveat = "" if "cuda" in kinds else " No GPU has been measured yet, so these verdicts are for CPUs only."
    return f"Measured on {'; '.join(machines)}.{caveat}"


def accuracy_line(comparisons: list[Any], names: dict[str, str]) -> str | None:
    """The accuracy benchmark's verdict in figures, or None when it has not been run."""
    if not comparisons:
        return None
    comparison = comparisons[0]
    means = "; ".join(f"{names.get(fw, fw)} {100 * s.final_accuracy.mean:.2f}%"
                      for fw, s in comparison.frameworks.items())
    if comparison.test is None:
        return f"Accuracy (digits, same weights and data): {means}; not enough paired seeds for a test."
    outcome = "a significant difference" if comparison.significant else "no significant difference"
    seeds = min(s.final_accuracy.n for s in comparison.frameworks.values())
    return (f"Accuracy (digits, same weights, data and settings, {seeds} seeds each): {means} — {outcome} "
            f"(p = {comparison.test.p_value:.2f}).")


def block(page: str, found: list[Finding], names: dict[str, str], *, accuracy: str | None,
          task_pages: dict[str, str], figures: bool, heading: str = "The answer, measured") -> Markup:
    """The verdict block for ``page``: a summary sentence, one line per task and phase, accuracy, and links."""
    single = len({finding.task_id for finding in found}) == 1 and not task_pages  # a page about that task
    tasks: dict[str, dict[str, Any]] = {}
    for finding in found:
        entry = tasks.setdefault(finding.task_id, {
            "title": finding.task_title,
            "url": relative_url(page, task_pages[finding.task_id]) if finding.task_id in task_pages else None,
            "lines": [],
        })
        several = len({f.machine.machine_id for f in found if f.task_id == finding.task_id}) > 1
        where = f" on {finding.machine.label}" if several else ""
        entry["lines"].append(f"{PHASE_LABELS[finding.phase]}{where}: "
                              + "; ".join(phrase(c, figures=figures) for c in finding.comparisons) + ".")
    html = render(
        "_verdict.html.j2",
        heading=heading,
        summary=summary(found, names, tally_line=not single),
        tasks=list(tasks.values()),
        single=single,
        machines=machines_line(found),
        accuracy=accuracy,
        accuracy_url=relative_url(page, ACCURACY_PAGE),
        choose_url=relative_url(page, USE_CASES_PAGE),
        glossary_url=relative_url(page, GLOSSARY_PAGE, "best-of-each"),
    )
    return Markup(html.strip())


def raw(html: Markup) -> Markup:
    """The block for a Markdown page: a raw block Markdown passes through untouched (an HTML page has its own)."""
    return Markup(f"{raw_blocks.BLOCK_START}\n{html}\n{raw_blocks.BLOCK_END}")
