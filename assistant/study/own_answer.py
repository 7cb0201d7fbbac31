"""The student's own answer to a card, held to the card's slides: sentence verdicts, missed points, a suggested grade.

Each sentence gets the verdict every answer sentence gets (``assistant.answer.verify.judge_text``).
A slide point (a bullet of the card's slides; the title, questions and header-only lines aside) is
covered when a sentence judged supported shares at least half of its content words, one of the
words only that point has, and its formula if it has one; or means the same (cosine of the index's
encoder at least ``POINT_COSINE``; not for a point with a formula). The grade is a suggestion: the
student still chooses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer import faithfulness as faith
from assistant.answer import wording
from assistant.answer.support import Judgement, SupportChecker
from assistant.answer.verify import as_json, judge_text

POINT_SHARE = 0.5  # content words of a point a supported sentence must share to cover it
POINT_COSINE = 0.7  # or this close in meaning
EASY_COVERAGE = 0.9
GOOD_COVERAGE = 0.5


@dataclass(frozen=True)
class Point:
    slide: int
    text: str
    covered: bool


@dataclass(frozen=True)
class OwnAnswerCheck:
    sentences: tuple[Judgement, ...]
    points: tuple[Point, ...]
    grade: str  # again, hard, good or easy: a suggestion
    why: str

    @property
    def missed(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if not p.covered)

    def to_json(self) -> dict:
        return {
            "sentences": [as_json(j) for j in self.sentences],
            "points": [{"slide": p.slide, "text": p.text, "covered": p.covered} for p in self.points],
            "covered": sum(p.covered for p in self.points),
            "total": len(self.points),
            "missed": [{"slide": p.slide, "text": p.text} for p in self.missed],
            "suggested_grade": self.grade,
            "why": self.why,
        }


def slide_points(checker: SupportChecker) -> list[faith.Line]:
    """The claims of the checker's slides: bullets with two or more content words, not the title, not questions."""
    out = []
    for n in checker.order:
        title = wording.words(checker.slides[n].title)
        for line in checker.lines(n):
            text = line.text.rstrip()
            if line.title or text.endswith("?") or len(line.tokens - title) < 2:
                continue
            if text.endswith(":") and len(line.tokens - title) < 3:  # a bare header ("They are good at:")
                continue
            out.append(line)
    return out


def _covered(
    point: faith.Line, said: Sequence[Judgement], checker: SupportChecker, title: frozenset[str], own: frozenset[str]
) -> bool:
    """``own``: the point's words no other line of its slide has; one of them (and its formula, if it has one) must be said."""
    need = point.tokens - title or point.tokens
    formulas = faith.formulas(point.text)
    for j in said:
        tokens = wording.words(j.text)
        if formulas and not set(formulas) & set(faith.formulas(j.text)):
            continue
        if own and not own & tokens:
            continue
        if len(need & tokens) / len(need) >= POINT_SHARE:
            return True
    if formulas:
        return False
    if checker.encode is None or not said:
        return False
    vectors = checker.encode([point.text, *(j.text for j in said)])
    return float(np.max(vectors[1:] @ vectors[0])) >= POINT_COSINE


def suggest_grade(sentences: Sequence[Judgement], covered: int, total: int) -> tuple[str, str]:
    wrong = sum(j.verdict == faith.CONTRADICTED for j in sentences)
    supported = sum(j.supported for j in sentences)
    if not sentences or not supported:
        return "again", "no sentence of the answer is supported by the slides"
    if wrong:
        return "again", f"{wrong} sentence(s) contradict the slides"
    share = covered / total if total else 1.0
    extra = len(sentences) - supported
    if share >= EASY_COVERAGE and not extra:
        return "easy", f"covers {covered} of {total} slide points, every sentence supported"
    if share >= GOOD_COVERAGE:
        return "good", f"covers {covered} of {total} slide points"
    return "hard", f"covers only {covered} of {total} slide points"


def check_own_answer(checker: SupportChecker, answer: str) -> OwnAnswerCheck:
    """``checker``: built over the card's slides (and its question, so its numbers and names count as known)."""
    sentences = tuple(judge_text(checker, answer))
    said = [j for j in sentences if j.supported]
    points = []
    lines = slide_points(checker)
    for line in lines:
        title = wording.words(checker.slides[line.slide].title)
        others = frozenset().union(*(o.tokens for o in lines if o is not line and o.slide == line.slide))
        points.append(Point(line.slide, line.text, _covered(line, said, checker, title, line.tokens - others - title)))
    grade, why = suggest_grade(sentences, sum(p.covered for p in points), len(points))
    return OwnAnswerCheck(sentences, tuple(points), grade, why)
