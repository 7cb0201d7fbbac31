"""The Bank audit tab's two tables as rows for ``templates/audit_tables.html``. Pure functions over
an ``AuditReport``.

The tables are HTML, not a data grid: a fixed layout that wraps every cell keeps them inside
their panel at any width (a grid sized its columns to the longest joined suggestion list, 3,003
px in a 1,334 px panel), each suggestion is a line of its own, and a title cut short ends in an
ellipsis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from assistant.audit.findings import FLAG_RANK, SUGGEST, AuditReport, Suggestion

DASH = "\u2013"
TITLE_WIDTH = 60  # characters of a slide title in a table cell before the ellipsis

# Said above the tables, so the percentages read as what they are.
CONFIDENCE_NOTE = (
    "The percentage after a suggested slide is a measured hit rate, not a score: the audit hid the "
    "references of every question that has them, suggested slides for each as if it cited nothing, and "
    "counted how often a suggestion in that place (1st, 2nd or 3rd; inside or outside the slides the "
    "neighbouring bank questions cite) was one of the slides the question really cites."
)
FLAG_NOTE = (
    f"None of the slides these questions cite is among the top {FLAG_RANK} slides retrieval finds for "
    "them (rank in brackets; \u2013: not in the top 50). Check the numbers, or take a suggestion."
)


class Suggested(NamedTuple):
    slide: int
    title: str
    confidence: str  # "74%", or "" when too few questions cite slides to measure it
    cited: bool  # the question already cites this slide


class Row(NamedTuple):
    question: str
    section: str
    line: int
    cites: str  # "63 (rank 14), 64 (–)"; "" for a question that cites nothing
    suggestions: tuple[Suggested, ...]


def short(text: str, width: int = TITLE_WIDTH) -> str:
    """``text`` cut to ``width`` characters, the cut marked with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _suggested(items: Sequence[Suggestion], cited: Sequence[int] = ()) -> tuple[Suggested, ...]:
    return tuple(
        Suggested(
            s.slide,
            short(s.title) or "(untitled)",
            "" if s.confidence is None else f"{s.confidence:.0%}",
            s.slide in cited,
        )
        for s in items
    )


def flag_rows(report: AuditReport) -> list[Row]:
    """The references to check, with the slides retrieval suggests instead."""
    return [
        Row(
            c.question.text,
            c.question.section,
            c.question.line,
            ", ".join(f"{n} ({f'rank {r}' if r is not None else DASH})" for n, r in c.ranks),
            _suggested(c.proposed, c.question.refs),
        )
        for c in report.flagged
    ]


def suggestion_rows(report: AuditReport) -> list[Row]:
    """Questions that cite nothing, with the slides suggested for them."""
    return [
        Row(s.question.text, s.question.section, s.question.line, "", _suggested(s.suggestions))
        for s in report.suggested
    ]


def tables_context(report: AuditReport) -> dict[str, object]:
    """What ``audit_tables.html`` needs."""
    return {
        "flags": flag_rows(report),
        "suggested": suggestion_rows(report),
        "flag_note": FLAG_NOTE,
        "confidence_note": CONFIDENCE_NOTE,
        "n_suggest": SUGGEST,
    }
