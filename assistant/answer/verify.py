"""Any text held to chosen slides, sentence by sentence: what ``assistant.check``, the study check and the app call.

``judge_text`` splits the text into sentences (as an answer streams), removes citation markers and
list marks, and gives each sentence ``SupportChecker.judge``'s verdict against the chosen slides,
the same function every answer's sentences go through.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.answer.citations import strip_citations
from assistant.answer.support import Judgement, SupportChecker, checker_for, split_sentences, tidy
from index.errors import InputError
from index.records import Slide
from index.settings import NO_BANK, UserSettings


def open_checking(user: UserSettings):
    """The index and its encoder (a retriever without a bank): everything the check needs."""
    from assistant.retrieval.loading import open_retriever

    retriever, _ = open_retriever(user=user.with_(bank=Path(NO_BANK), bank_named=True))
    if retriever.index is None:
        raise InputError("the check needs an index; run: python -m ingest SLIDES.pdf")
    return retriever


def chosen_slides(retriever, numbers: Sequence[int]) -> list[Slide]:
    """The index's slides by number; a number outside the deck is bad input."""
    count = len(retriever.index.slides)
    bad = [n for n in numbers if not 1 <= n <= count]
    if bad or not numbers:
        raise InputError(f"slide {bad[0] if bad else '(none)'} is not in the index (slides 1-{count})")
    return [retriever.index.slide(n) for n in dict.fromkeys(numbers)]


def parse_slides(value: str) -> list[int]:
    """ "196", "196,197", "196-198" -> slide numbers."""
    out: list[int] = []
    for part in value.replace(" ", "").split(","):
        bounds = part.split("-")
        if not part or len(bounds) > 2 or not all(b.isdigit() for b in bounds):
            raise InputError(f"bad slide list {value!r}; write e.g. 196 or 196,197 or 196-198")
        low, high = int(bounds[0]), int(bounds[-1])
        if high < low or high - low > 50:
            raise InputError(f"bad slide range {part!r}")
        out.extend(range(low, high + 1))
    return out


def checker(retriever, slides: Sequence[Slide], question: str = "") -> SupportChecker:
    return checker_for(retriever, slides, question)


def judge_text(check: SupportChecker, text: str) -> list[Judgement]:
    """Every sentence of ``text`` judged against the checker's slides, in order."""
    out: list[Judgement] = []
    for raw in split_sentences(text):
        sentence = tidy(strip_citations(raw))
        if sentence:
            out.append(check.judge(sentence))
    return out


def as_json(judgement: Judgement) -> dict:
    return {
        "text": judgement.text,
        "slides": list(judgement.slides),
        "supported": judgement.supported,
        "verdict": judgement.verdict,
        "evidence": judgement.evidence,
    }
