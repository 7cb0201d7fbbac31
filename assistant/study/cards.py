"""Bank questions as study cards, and the matching that carries a card's history across bank edits.

A bank question's id is a hash of its section and text (``assistant.bank.parse``), so fixing a
typo gives it a new id. ``match_edits`` pairs ids that vanished from the bank with ids that
appeared when they are *the same question* (``same_question``, the rule docs/study.md states), so
an edit that keeps the question keeps the card's reviews; a question that is really gone, or
replaced by another one, stays in the store as an orphan, never shown, its history kept, and gets
it back when the question returns.

Text likeness alone is not the rule: "the derivative of the sigmoid" and "the derivative of tanh"
share most of their letters and are different questions. A content word replaced by another word
(not a spelling of it) makes a new question; fixing spelling, case, punctuation, hyphens or small
words, or adding or dropping a word or two while replacing none, keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.bank.parse import Question

SAME_SECTION_BONUS = 0.05  # among edits that are the same question, one inside the same section wins a tie
# Words that carry no question of their own: changing them never makes a new question.
GLUE = frozenset("a an the of in on at to for and or is are be by it its this that these those with as".split())
# Adding or dropping one of these turns a question around ("why is X convex" / "why is X not convex").
NEGATIONS = frozenset("not no never without cannot nor".split())
_INNER = re.compile(r"(?<=\w)[-\u2010\u2011\u2013'\u2019](?=\w)")  # k-means, KL-divergence, Bayes' → one word
_WORD = re.compile(r"[^\W_]+")


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
    """How alike two texts are, to rank edits that are the same question (never to decide it)."""
    ratio = SequenceMatcher(None, old.text.lower(), new.text.lower(), autojunk=False).ratio()
    return ratio + (SAME_SECTION_BONUS if old.section == new.section else 0.0)


def _squashed(text: str) -> str:
    return "".join(_WORD.findall(text.lower()))


def _content_words(text: str) -> set[str]:
    text = _INNER.sub("", text.lower().replace("n\u2019t", " not").replace("n't", " not"))
    words = (w for w in _WORD.findall(text) if w not in GLUE)
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words}


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two letters is one edit), stopping past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def spelling_of(a: str, b: str) -> bool:
    """Two spellings of one word: letters only, at least 5 of them, and one edit apart (two from 9
    letters on): minimise/minimize, reparametrisation/reparameterization; never encoder/decoder,
    ReLU/GeLU, L1/L2 or maximise/minimise."""
    shortest = min(len(a), len(b))
    if shortest < 5 or not (a.isalpha() and b.isalpha()):
        return False
    limit = 1 if shortest < 9 else 2
    return _edits(a, b, limit) <= limit


def same_question(old: str, new: str) -> bool:
    """Whether ``new`` is an edit of the question ``old`` rather than another question (the rule
    of docs/study.md): equal but for case, spacing, punctuation and hyphens; or, comparing content
    words (small words dropped, plural -s ignored, spelling fixes counted as equal), no word was
    replaced by another, no negation was added or dropped, and the words added or dropped number
    at most half of those kept (at least one may always change)."""
    if _squashed(old) == _squashed(new):
        return True
    before, after = _content_words(old), _content_words(new)
    dropped, added = sorted(before - after), sorted(after - before)
    for word in list(dropped):
        twin = next((w for w in added if spelling_of(word, w)), None)
        if twin is not None:
            dropped.remove(word)
            added.remove(twin)
    kept = len(before) - len(dropped)
    changed = dropped + added
    if (dropped and added) or not kept or NEGATIONS.intersection(changed):
        return False
    return len(changed) <= max(1, kept // 2)


def match_edits(gone: Sequence[Known], added: Sequence[StudyCard]) -> dict[str, str]:
    """Old id → new id for questions that were edited rather than removed or replaced.

    Only pairs that are the same question (``same_question``) qualify; among them, greedy on the
    most alike first, each old and new id used once, so two edits cannot both inherit one history.
    """
    pairs = sorted(
        (
            (similarity(o, n), i, j)
            for i, o in enumerate(gone)
            for j, n in enumerate(added)
            if same_question(o.text, n.text)
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    out: dict[str, str] = {}
    for _, i, j in pairs:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        out[gone[i].qid] = added[j].qid
    return out
