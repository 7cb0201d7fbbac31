"""The student's own answer to a card, held to the card's slides: sentence verdicts, missed points, a suggested grade.

Each sentence gets the verdict every answer sentence gets (``assistant.answer.verify.judge_text``).
A slide point (a bullet of the card's slides; the title, questions and header-only lines aside) is
covered when a sentence judged supported shares at least half of its content words, or means the
same (cosine of the index's encoder at least ``POINT_COSINE``). The grade is a suggestion: the
student still chooses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer import faithfulness as faith
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
        title = faith.words(checker.slides[n].title)
        for line in checker.lines(n):
            text = line.text.rstrip()
            if line.title or text.endswith("?") or len(line.tokens - title) < 2:
                continue
            if text.endswith(":") and len(line.tokens - title) < 3:  # a bare header ("They are good at:")
                continue
            out.append(line)
    return out


def _covered(point: faith.Line, said: Sequence[Judgement], checker: SupportChecker, title: frozenset[str]) -> bool:
    need = point.tokens - title or point.tokens
    for j in said:
        if len(need & faith.words(j.text)) / len(need) >= POINT_SHARE:
            return True
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
    for line in slide_points(checker):
        title = faith.words(checker.slides[line.slide].title)
        points.append(Point(line.slide, line.text, _covered(line, said, checker, title)))
    grade, why = suggest_grade(sentences, sum(p.covered for p in points), len(points))
    return OwnAnswerCheck(sentences, tuple(points), grade, why)
