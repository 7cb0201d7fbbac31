"""Deck drift: stretches of bank references that look shifted by slides inserted into or removed from the deck.

Each cited question says which offsets ``d`` make its ``refs + d`` top slides of the content-only
ranking (``drift_scores``). Questions sorted by reference form a sequence; a Viterbi pass picks
the piecewise-constant offset that explains most of them, with a cost per change, and a stretch
with a non-zero offset is only reported with enough support and a clear margin over ``d = 0``.
Pure: evidence in, stretches out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence

from assistant.audit.evidence import Evidence, rank_of
from assistant.bank.parse import Question

DRIFT_WINDOW = 5  # offsets tried: -5 .. +5
DRIFT_TOP = 10  # a slide counts as found at rank <= this
DRIFT_CHANGE_COST = 1.5  # evidence (in 1/rank units) needed to start or end a shifted stretch
DRIFT_MIN_SUPPORT = 3  # questions a shift must explain better than no shift
DRIFT_MARGIN = 2.0  # ... and at least this many times as many as it explains worse


@dataclass(frozen=True)
class DriftPart:
    """The part of a drift stretch inside one bank section."""

    section: str
    first_ref: int
    last_ref: int
    questions: int
    support: int

    def sentence(self, offset: int, whole_section: bool) -> str:
        where = (
            ""
            if whole_section
            else f" from slide {self.first_ref} on"
            if self.last_ref > self.first_ref or self.questions > 1
            else f" at slide {self.first_ref}"
        )
        return f"references in '{self.section}' look shifted by {offset:+d}{where} ({self.support} of {self.questions} questions agree)"


@dataclass(frozen=True)
class DriftStretch:
    """Consecutive references (in bank numbering) that look shifted by ``offset``."""

    offset: int
    first_ref: int
    last_ref: int
    questions: int
    support: int  # questions the offset explains better than no shift
    against: int  # questions no shift explains better
    parts: tuple[DriftPart, ...]

    def sentence(self) -> str:
        return f"references {self.first_ref}-{self.last_ref} look shifted by {self.offset:+d} ({self.support} of {self.questions} questions agree, {self.against} disagree)"


def drift_scores(evidence: Evidence, window: int = DRIFT_WINDOW, top: int = DRIFT_TOP) -> dict[int, float]:
    """Offset d → how well ``refs + d`` match the content ranking: the mean over refs of 1/rank (0 past ``top``).

    The mean, not the best, so a cited range must move as a whole: a neighbour slide on a
    related topic lifts one end of a shifted range, never all of it.
    """
    head = evidence.content[:top]
    refs = evidence.question.refs
    scores = {}
    for d in range(-window, window + 1):
        ranks = [rank_of(head, r + d) for r in refs]
        scores[d] = sum(1.0 / r for r in ranks if r is not None) / len(refs) if refs else 0.0
    return scores


def viterbi(scores: Sequence[dict[int, float]], offsets: Sequence[int], change_cost: float) -> list[int]:
    """The offset per item maximising total score minus ``change_cost`` per change (starting at 0)."""
    if not scores:
        return []
    best = {d: scores[0][d] - (change_cost if d else 0.0) for d in offsets}
    back: list[dict[int, int]] = []
    for s in scores[1:]:
        lead = max(offsets, key=lambda d: (best[d], d == 0))
        step, new = {}, {}
        for d in offsets:
            stay, jump = best[d], best[lead] - change_cost
            step[d] = d if stay >= jump else lead
            new[d] = s[d] + max(stay, jump)
        back.append(step)
        best = new
    path = [max(offsets, key=lambda d: (best[d], d == 0))]
    for step in reversed(back):
        path.append(step[path[-1]])
    return path[::-1]


def estimate_drift(
    evidence: Sequence[Evidence],
    window: int = DRIFT_WINDOW,
    change_cost: float = DRIFT_CHANGE_COST,
    min_support: int = DRIFT_MIN_SUPPORT,
    margin: float = DRIFT_MARGIN,
) -> tuple[DriftStretch, ...]:
    """Stretches of references that look shifted. Uses cited questions only, ordered by first reference."""
    cited = sorted((e for e in evidence if e.question.refs), key=lambda e: (min(e.question.refs), e.question.line))
    offsets = list(range(-window, window + 1))
    scores = [drift_scores(e, window) for e in cited]
    path = viterbi(scores, offsets, change_cost)
    stretches: list[DriftStretch] = []
    start = 0
    for i in range(1, len(path) + 1):
        if i < len(path) and path[i] == path[start]:
            continue
        d = path[start]
        if d != 0:
            members = range(start, i)
            support = sum(1 for j in members if scores[j][d] > scores[j][0])
            against = sum(1 for j in members if scores[j][0] > scores[j][d])
            if support >= min_support and support >= margin * against:
                stretches.append(_stretch(d, [cited[j] for j in members], [scores[j] for j in members]))
        start = i
    return tuple(stretches)


def _stretch(offset: int, members: Sequence[Evidence], scores: Sequence[dict[int, float]]) -> DriftStretch:
    by_section: dict[str, list[int]] = {}
    for j, e in enumerate(members):
        by_section.setdefault(e.question.section, []).append(j)
    parts = tuple(
        DriftPart(
            section,
            min(min(members[j].question.refs) for j in js),
            max(max(members[j].question.refs) for j in js),
            len(js),
            sum(1 for j in js if scores[j][offset] > scores[j][0]),
        )
        for section, js in by_section.items()
    )
    return DriftStretch(
        offset,
        min(min(e.question.refs) for e in members),
        max(max(e.question.refs) for e in members),
        len(members),
        sum(1 for s in scores if s[offset] > s[0]),
        sum(1 for s in scores if s[0] > s[offset]),
        parts,
    )


def drift_at(stretches: Sequence[DriftStretch]) -> Callable[[int], int]:
    """ref → the offset of the stretch covering it (0 outside every stretch)."""

    def shift(ref: int) -> int:
        for s in stretches:
            if s.first_ref <= ref <= s.last_ref:
                return s.offset
        return 0

    return shift


def section_sentences(stretches: Sequence[DriftStretch], bank: Sequence[Question]) -> list[str]:
    """Plain words per section: "references in 'Diffusion models' look shifted by +2 from slide 172 on"."""
    cited_in: dict[str, int] = defaultdict(int)
    for q in bank:
        if q.refs:
            cited_in[q.section] += 1
    return [
        part.sentence(s.offset, whole_section=part.questions == cited_in[part.section])
        for s in stretches
        for part in s.parts
    ]
