"""Per-section progress: the numbers ``--stats`` prints and the Study tab charts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from assistant.study.cards import StudyCard
from assistant.study.queue import is_due
from assistant.study.schedule import Memory, Study


@dataclass(frozen=True)
class SectionStats:
    """``retrievability``: mean predicted recall now over the *reviewed* cards (None: none reviewed),
    so it says how well the studied part is held, apart from how much has been studied."""

    section: str
    cards: int
    due: int
    reviewed: int
    retrievability: float | None

    @property
    def unseen(self) -> int:
        return self.cards - self.reviewed


def section_stats(
    cards: Sequence[StudyCard], memories: Mapping[str, Memory], now: datetime, study: Study
) -> tuple[SectionStats, ...]:
    """One row per section, in bank order."""
    grouped: dict[str, list[StudyCard]] = {}
    for card in cards:
        grouped.setdefault(card.section, []).append(card)
    rows = []
    for section, members in grouped.items():
        seen = [memories[c.qid] for c in members if c.qid in memories]
        recall = [study.retrievability(m, now) for m in seen]
        rows.append(
            SectionStats(
                section,
                len(members),
                sum(is_due(memories.get(c.qid), now) for c in members),
                len(seen),
                sum(recall) / len(recall) if recall else None,
            )
        )
    return tuple(rows)


def totals(rows: Sequence[SectionStats]) -> SectionStats:
    reviewed = sum(r.reviewed for r in rows)
    weighted = [(r.retrievability, r.reviewed) for r in rows if r.retrievability is not None]
    mean = sum(v * n for v, n in weighted) / reviewed if reviewed else None
    return SectionStats("all sections", sum(r.cards for r in rows), sum(r.due for r in rows), reviewed, mean)


def format_table(
    rows: Sequence[SectionStats],
    exam: date | None = None,
    today: date | None = None,
    shown: Callable[[str], str] = str,
) -> str:
    """A plain-text table, one line per section and a total; ``shown`` makes a section name printable."""
    total = totals(rows)
    width = min(max(len(r.section) for r in [*rows, total]), 48)
    lines = [f"{'section':<{width}}  {'cards':>5}  {'due':>4}  {'reviewed':>8}  {'recall':>6}"]
    for row in [*rows, total]:
        recall = f"{row.retrievability:.2f}" if row.retrievability is not None else "-"
        section = shown(row.section)
        name = section if len(section) <= width else section[: width - 1] + "\u2026"
        lines.append(f"{name:<{width}}  {row.cards:>5}  {row.due:>4}  {row.reviewed:>8}  {recall:>6}")
    if exam is not None and today is not None:
        days = (exam - today).days
        unseen = sum(r.unseen for r in rows)
        if days > 0:
            lines.append(
                f"exam on {exam.isoformat()}: {days} day(s) left, {unseen} card(s) never seen (about {-(-unseen // days)} a day)"
            )
        elif days == 0:
            lines.append(f"exam on {exam.isoformat()}: today, {unseen} card(s) never seen")
        else:
            lines.append(f"exam on {exam.isoformat()}: the date has passed")
    lines.append("recall: mean predicted chance of recalling a reviewed card now (FSRS retrievability)")
    return "\n".join(lines)
