"""The FSRS scheduler (the ``fsrs`` package, the algorithm Anki ships) behind a small, clock-injected API.

Nothing here reads the wall clock by itself: every call takes ``now``, and ``Clock`` is the one
place that asks the system, so tests and the exam-date queue can move time at will.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from fsrs import Card, Rating, Scheduler

Grade = Literal["again", "hard", "good", "easy"]
GRADES: tuple[Grade, ...] = ("again", "hard", "good", "easy")
_RATING = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def utc(moment: datetime) -> datetime:
    """fsrs insists on aware UTC datetimes; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class Memory:
    """One card's scheduling state: fsrs's card as JSON, plus the fields queries need."""

    due: datetime
    last_review: datetime | None
    stability: float | None
    fsrs_json: str

    @property
    def reviewed(self) -> bool:
        return self.last_review is not None


def parse_grade(text: str) -> Grade:
    """``"good"``, ``"Good"`` or ``"3"`` → ``"good"``; anything else is a ValueError naming the choices."""
    word = text.strip().lower()
    if word in GRADES:
        return word
    if word in ("1", "2", "3", "4"):
        return GRADES[int(word) - 1]
    raise ValueError(f"unknown grade {text!r}; use again, hard, good or easy (or 1-4)")


class Study:
    """Creates and reviews ``Memory`` records. ``fuzz`` spreads long intervals a little, as Anki does."""

    def __init__(self, desired_retention: float = 0.9, fuzz: bool = True) -> None:
        self._scheduler = Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)

    def new(self, now: datetime) -> Memory:
        # card_id given: fsrs would otherwise read the clock (and sleep 1 ms) to make one.
        return _memory(Card(card_id=1, due=utc(now)))

    def review(self, memory: Memory, grade: Grade, now: datetime) -> Memory:
        card, _ = self._scheduler.review_card(
            Card.from_json(memory.fsrs_json), _RATING[grade], review_datetime=utc(now)
        )
        return _memory(card)

    def retrievability(self, memory: Memory | None, now: datetime) -> float:
        """Predicted chance of recalling the answer at ``now``; 0 for a card never reviewed."""
        if memory is None or not memory.reviewed:
            return 0.0
        return float(self._scheduler.get_card_retrievability(Card.from_json(memory.fsrs_json), utc(now)))


def _memory(card: Card) -> Memory:
    return Memory(card.due, card.last_review, card.stability, card.to_json())


def memory_from_json(text: str) -> Memory:
    card = Card.from_json(text)
    return _memory(card)
