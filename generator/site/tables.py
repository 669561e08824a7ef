"""Tables designed for their screen: the verdict first, what every row shares said once, nothing repeated.

A results table answers one question (who is faster, how much memory, how close to the peak). :func:`fitted`
puts the columns that answer it first, so they are what a reader sees first on a phone (where the stylesheet and
``atlas.js`` show each row as a card) and what stays in view on a desktop; a column whose value is the same in
every row (a batch size that never changes, a precision, a sentence saying what was measured) is taken out and
said once in the caption above the table. Page writers (benchmarks, accuracy, deployment, and the sweep and
scaling pages to come) build their tables through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.site.markup import inert


@dataclass(frozen=True)
class Table:
    """A table of measured values. ``caption`` says what every row shares (see :func:`generator.site.tables.fitted`,
    which lifts constant columns into it); it is shown above the table."""

    headers: list[str]
    rows: list[list[Any]]  # Markup cells are kept; anything else is shown as inert text
    caption: str = ""

    @staticmethod
    def _cell(value: Any) -> Markup:
        return value if isinstance(value, Markup) else inert(value)

    def markdown(self) -> Markup:
        lines = [f"{inert(self.caption)}\n{{: .atlas-caption }}\n"] if self.caption else []
        lines += ["| " + " | ".join(str(inert(h)) for h in self.headers) + " |",
                  "|" + "|".join(["---"] * len(self.headers)) + "|"]
        lines += ["| " + " | ".join(str(self._cell(value)) for value in row) + " |" for row in self.rows]
        return Markup("\n".join(lines))

    def html(self) -> Markup:
        """The same table for a page rendered straight to HTML (its Markup cells must then hold HTML)."""
        caption = f'<p class="atlas-caption">{inert(self.caption)}</p>\n' if self.caption else ""
        head = "".join(f"<th>{inert(h)}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td>{self._cell(value)}</td>" for value in row) + "</tr>\n"
                       for row in self.rows)
        return Markup(f"{caption}<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>")


def _shown(value: Any) -> str:
    return " ".join(str(value).split())


def fitted(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, first: Sequence[str] = (),
           keep: Sequence[str] = (), caption: str = "", lift: bool = True) -> Table:
    """A :class:`Table` with the ``first`` columns leading (in that order), and every column whose value is the
    same in all rows lifted into the caption as ``Header: value`` (unless it is in ``first`` or ``keep``, or the
    table has a single row, where nothing is repeated). ``caption`` opens the caption."""
    headers = list(headers)
    order = [headers.index(name) for name in first if name in headers]
    order += [index for index in range(len(headers)) if index not in order]
    lifted: list[str] = []
    kept: list[int] = []
    for index in order:
        values = {_shown(row[index]) for row in rows}
        plain = not any(isinstance(row[index], Markup) for row in rows)  # a link is never lifted out of its row
        if (lift and plain and len(rows) > 1 and len(values) == 1 and headers[index] not in first
                and headers[index] not in keep):
            value = next(iter(values))
            lifted.append(f"{headers[index]}: {value}" if value else headers[index])
        else:
            kept.append(index)
    text = " · ".join(part for part in [caption.strip(), *lifted] if part)
    return Table([headers[i] for i in kept], [[row[i] for i in kept] for row in rows], caption=text)
