"""One study session: the bank's cards, the store, the scheduler and the clock, for the CLI and the app.

The answer key of a card is the slides it cites; one that cites none gets the slides the bank
file notes as ``(suggested: N)``, else the audit's suggestions, always marked as suggestions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from assistant.bank.parse import Question
from assistant.study.cards import StudyCard, cards_from_bank
from assistant.study.progress import SectionStats, section_stats
from assistant.study.queue import Filters, order
from assistant.study.schedule import Clock, Grade, Memory, Study, system_clock
from assistant.study.store import StudyStore, SyncReport

if TYPE_CHECKING:
    from index.store import LoadedIndex

Suggest = Callable[[str], tuple[int, ...]]


@dataclass(frozen=True)
class AnswerKey:
    """The slides that answer a card, best read in this order. ``suggested``: they are suggestions,
    not references the question cites. ``missing``: cited slides the index does not hold."""

    slides: tuple[int, ...]
    titles: tuple[str, ...]
    suggested: bool
    answer: str
    missing: tuple[int, ...] = ()


class StudySession:
    def __init__(
        self,
        bank: Sequence[Question],
        store: StudyStore,
        index: LoadedIndex | None = None,
        suggest: Suggest | None = None,
        clock: Clock = system_clock,
        study: Study | None = None,
        exam: date | None = None,
    ) -> None:
        self.store = store
        self.index = index
        self.suggest = suggest
        self.clock = clock
        self.study = study or Study()
        self.exam = exam
        self.bank: Sequence[Question] = ()
        self.cards: tuple[StudyCard, ...] = ()
        self.sync = self.reload(bank)

    def reload(self, bank: Sequence[Question]) -> SyncReport:
        """Take a new version of the bank (edited, or grown from search)."""
        self.bank = bank
        self.cards = cards_from_bank(bank)
        self._by_id = {c.qid: c for c in self.cards}
        return self.store.sync(self.cards)

    def card(self, qid: str) -> StudyCard | None:
        return self._by_id.get(qid)

    def memories(self) -> dict[str, Memory]:
        return self.store.memories()

    def queue(self, filters: Filters | None = None) -> list[StudyCard]:
        return order(self.cards, self.memories(), self.clock(), self.study, filters, self.exam)

    def next(self, filters: Filters | None = None) -> StudyCard | None:
        queue = self.queue(filters)
        return queue[0] if queue else None

    def grade(self, qid: str, grade: Grade, key: str | None = None) -> Memory:
        """Record a review; ``key`` (one per card shown) makes a retry of the same grade count once."""
        return self.store.grade(qid, grade, self.clock(), self.study, key)

    def stats(self) -> tuple[SectionStats, ...]:
        return section_stats(self.cards, self.memories(), self.clock(), self.study)

    def answer_key(self, card: StudyCard) -> AnswerKey:
        suggested = not card.refs
        slides = card.refs or card.suggested or (self.suggest(card.qid) if self.suggest is not None else ())
        n_slides = len(self.index.slides) if self.index is not None else None
        shown = tuple(n for n in slides if n_slides is None or 1 <= n <= n_slides)
        missing = tuple(n for n in slides if n not in shown)
        titles = tuple(self.index.slide(n).title if self.index is not None else "" for n in shown)
        answer = (
            extractive_answer(card.text, [self.index.slide(n) for n in shown])
            if self.index is not None and shown
            else ""
        )
        return AnswerKey(shown, titles, suggested, answer, missing)


def extractive_answer(question: str, slides: Sequence) -> str:
    """The extractive answer (bullets of the given slides that share words with the question,
    each with its slide number), from the answer package, over the answer key's own slides."""
    from assistant.answer.extractive import key_points

    return key_points(slides, question)
