"""Bank questions as study cards, and the matching that carries a card's history across bank edits.

A bank question's id is a hash of its section and text (``assistant.bank.parse``), so fixing a
typo gives it a new id. ``match_edits`` pairs ids that vanished from the bank with ids that
appeared, by how alike their texts are, so a small edit keeps the card's reviews; a question that
is really gone stays in the store as an orphan, never shown, its history kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.bank.parse import Question

SIMILAR = 0.8  # difflib ratio above which an edited question is the same card (a typo, a word or two)
SAME_SECTION_BONUS = 0.05  # a match inside the same section wins a tie against one that moved


@dataclass(frozen=True)
class StudyCard:
    """One bank question as a card. ``refs`` are the slides it cites; ``suggested`` the slides an
    audit proposed (``(suggested: N)`` in the bank), never references."""

    qid: str
    section: str
    text: str
    marker: str
    refs: tuple[int, ...]
    suggested: tuple[int, ...]
    position: int  # order in the bank file


@dataclass(frozen=True)
class Known:
    """What the store remembers of a card: enough to recognise it after an edit."""

    qid: str
    section: str
    text: str


def cards_from_bank(bank: Iterable[Question]) -> tuple[StudyCard, ...]:
    """Every bank question as a card. Headings that carry references are topics, not questions."""
    return tuple(
        StudyCard(q.id, q.section, q.text, q.marker, q.refs, q.suggested, i)
        for i, q in enumerate(q for q in bank if not q.heading)
    )


def similarity(old: Known, new: StudyCard) -> float:
    ratio = SequenceMatcher(None, old.text.lower(), new.text.lower(), autojunk=False).ratio()
    return ratio + (SAME_SECTION_BONUS if old.section == new.section else 0.0)


def match_edits(gone: Sequence[Known], added: Sequence[StudyCard], threshold: float = SIMILAR) -> dict[str, str]:
    """Old id → new id for questions that were edited rather than removed.

    Greedy on the best pairs first, each old and new id used once, so two similar questions
    cannot both inherit one history.
    """
    pairs = sorted(
        ((similarity(o, n), i, j) for i, o in enumerate(gone) for j, n in enumerate(added)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    out: dict[str, str] = {}
    for score, i, j in pairs:
        if score < threshold:
            break
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        out[gone[i].qid] = added[j].qid
    return out
