"""What to study next: pure functions over cards, their memories and a moment in time.

Without an exam date: cards due for review first (the longest overdue first), then cards never
seen, in bank order. With an exam date: the same cards, but the weakest section first, weakness
being the mean predicted recall *on the exam day* (a card never seen counts as 0), and due
reviews before new cards inside a section. Unseen cards pull their section's mean down, so the
sections not yet studied come up first and every card is seen at least once before the date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from assistant.study.cards import StudyCard
from assistant.study.schedule import Memory, Study

MARKS = {"*": "marked *", "-": "marked -", "": "unmarked"}


@dataclass(frozen=True)
class Filters:
    """``section`` / ``mark`` None: any. ``mark`` is ``"*"``, ``"-"`` or ``""`` (unmarked).
    ``due_only`` False: every card, those not yet due after the due ones."""

    section: str | None = None
    mark: str | None = None
    due_only: bool = True

    def keeps(self, card: StudyCard) -> bool:
        return (self.section is None or card.section == self.section) and (
            self.mark is None or card.marker == self.mark
        )


def is_due(memory: Memory | None, now: datetime) -> bool:
    """A card never reviewed is due (it is new); a reviewed one once its due time has come."""
    return memory is None or memory.due <= now


def exam_moment(day: date) -> datetime:
    """The exam day's morning, as the moment recall is measured at."""
    return datetime.combine(day, time(8, 0), tzinfo=timezone.utc)


def section_strength(
    cards: Iterable[StudyCard], memories: Mapping[str, Memory], study: Study, at: datetime
) -> dict[str, float]:
    """Section → mean predicted recall at ``at``, cards never reviewed counting as 0."""
    sums: dict[str, list[float]] = {}
    for card in cards:
        cell = sums.setdefault(card.section, [0.0, 0])
        cell[0] += study.retrievability(memories.get(card.qid), at)
        cell[1] += 1
    return {section: total / n for section, (total, n) in sums.items()}


def order(
    cards: Sequence[StudyCard],
    memories: Mapping[str, Memory],
    now: datetime,
    study: Study,
    filters: Filters | None = None,
    exam: date | None = None,
) -> list[StudyCard]:
    """The cards to study, first one first."""
    filters = filters or Filters()
    chosen = [c for c in cards if filters.keeps(c)]
    due = [c for c in chosen if is_due(memories.get(c.qid), now)]
    due_ids = {c.qid for c in due}
    if exam is not None and exam >= now.date():
        strength = section_strength(chosen, memories, study, exam_moment(exam))
        first = sorted(due, key=lambda c: (strength[c.section], c.qid not in memories, c.position))
    else:
        reviews = sorted((c for c in due if c.qid in memories), key=lambda c: (memories[c.qid].due, c.position))
        first = reviews + [c for c in due if c.qid not in memories]
    if filters.due_only:
        return first
    later = sorted((c for c in chosen if c.qid not in due_ids), key=lambda c: (memories[c.qid].due, c.position))
    return first + later


def next_card(
    cards: Sequence[StudyCard],
    memories: Mapping[str, Memory],
    now: datetime,
    study: Study,
    filters: Filters | None = None,
    exam: date | None = None,
) -> StudyCard | None:
    queue = order(cards, memories, now, study, filters, exam)
    return queue[0] if queue else None
