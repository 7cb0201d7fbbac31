"""Audit findings: reference checks, suggested slides for uncited questions, coverage; built from evidence.

- Reference check: the rank the fused ranking gives a question's cited slides. None in the top
  10 → "check this reference", with the slides the audit would suggest instead.
- Suggestions: the fused ranking's top slides, re-ordered by where the question sits in the bank.
  A bank follows its lectures, so an uncited question's answer usually lies between the slides its
  nearest cited neighbours (before and after it in the file) cite; candidates inside that window
  come first. Confidence is the rate at which a suggestion of the same rank and kind (in or out of
  the window) was a cited slide when the cited questions are treated as uncited (leave-one-out).
- Drift (``drift.py``) corrects the references before both.
- Coverage: per lecture (ingested PDF), the slide ranges no question cites or is suggested for.

``build_report`` is pure; ``run_audit`` gathers the evidence (``evidence.py``) and calls it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, Sequence

from assistant.audit.drift import DriftStretch, drift_at, estimate_drift
from assistant.audit.evidence import Evidence, gather_evidence
from assistant.bank.parse import Question
from assistant.retrieval.retriever import Retriever

FLAG_RANK = 10  # a cited slide below this rank is one a student searching would not see
SUGGEST = 3  # suggestions per uncited question
POOL = 30  # fused candidates the bank-order window may promote into the suggestions
WINDOW_MARGIN = 1  # slides beyond the neighbours' references still inside the window
MIN_CALIBRATION = 10  # cited questions needed before a confidence is given

Status = Literal["cited", "suggested", "none"]


# -- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A slide proposed for a question. Always a suggestion, never one of the user's references."""

    slide: int
    title: str
    confidence: float | None  # None: too few cited questions to calibrate on
    in_window: bool  # between the slides the neighbouring questions cite


@dataclass(frozen=True)
class RefCheck:
    question: Question
    ranks: tuple[tuple[int, int | None], ...]  # (cited slide, its fused rank or None)
    flagged: bool
    proposed: tuple[Suggestion, ...]
    drift: int = 0  # offset of the drift stretch this question is in (0: none)
    shifted_rank: int | None = None  # best rank of ref + drift, when drift != 0

    @property
    def best_rank(self) -> int | None:
        found = [r for _, r in self.ranks if r is not None]
        return min(found) if found else None


@dataclass(frozen=True)
class Suggested:
    question: Question
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class LectureCoverage:
    deck: str
    first: int
    last: int
    status: tuple[Status, ...]  # one per slide first..last
    gaps: tuple[tuple[int, int], ...]  # inclusive slide ranges nothing cites or suggests

    @property
    def uncovered(self) -> int:
        return sum(1 for s in self.status if s == "none")


@dataclass(frozen=True)
class AuditReport:
    checks: tuple[RefCheck, ...]
    suggested: tuple[Suggested, ...]
    drift: tuple[DriftStretch, ...]
    coverage: tuple[LectureCoverage, ...]
    suggestion_hit: float | None  # cited questions treated as uncited: a cited slide in the top 3
    calibration: dict[tuple[int, bool], tuple[int, int]] = field(default_factory=dict)  # (rank, in window) → (hits, n)
    seconds: float = 0.0

    @property
    def flagged(self) -> tuple[RefCheck, ...]:
        return tuple(c for c in self.checks if c.flagged)


# -- pure core ----------------------------------------------------------------------------------


def neighbour_window(
    bank: Sequence[Question], index: int, shift: Callable[[int], int] = lambda r: 0, margin: int = WINDOW_MARGIN
) -> tuple[int, int] | None:
    """Slides between the nearest cited questions before and after ``bank[index]`` (itself excluded).

    ``shift(ref)`` corrects references for deck drift. None when neither neighbour exists.
    """
    before = next((bank[j] for j in range(index - 1, -1, -1) if bank[j].refs), None)
    after = next((bank[j] for j in range(index + 1, len(bank)) if bank[j].refs), None)
    if before is None and after is None:
        return None
    lo_refs = (before or after).refs  # type: ignore[union-attr]
    hi_refs = (after or before).refs  # type: ignore[union-attr]
    lo = min(r + shift(r) for r in lo_refs)
    hi = max(r + shift(r) for r in hi_refs)
    lo, hi = min(lo, hi), max(lo, hi)
    return lo - margin, hi + margin


def order_candidates(fused: Sequence[int], window: tuple[int, int] | None, pool: int = POOL) -> list[tuple[int, bool]]:
    """Fused candidates, those of the top ``pool`` inside ``window`` first. (slide, in window) pairs."""
    if window is None:
        return [(n, False) for n in fused]
    lo, hi = window
    inside = [n for n in fused[:pool] if lo <= n <= hi]
    chosen = set(inside)
    return [(n, True) for n in inside] + [(n, False) for n in fused if n not in chosen]


def calibrate(outcomes: Iterable[tuple[int, bool, bool]]) -> dict[tuple[int, bool], tuple[int, int]]:
    """(rank, in window, was a cited slide) outcomes → (rank, in window) → (hits, n)."""
    table: dict[tuple[int, bool], list[int]] = defaultdict(lambda: [0, 0])
    for rank, inside, hit in outcomes:
        cell = table[(rank, inside)]
        cell[0] += int(hit)
        cell[1] += 1
    return {k: (v[0], v[1]) for k, v in table.items()}


def confidence(
    table: dict[tuple[int, bool], tuple[int, int]], rank: int, inside: bool, prior_weight: float = 5.0
) -> float | None:
    """Hit rate of the (rank, in window) cell, shrunk towards the rank's overall rate (thin cells)."""
    rank_hits = sum(v[0] for k, v in table.items() if k[0] == rank)
    rank_n = sum(v[1] for k, v in table.items() if k[0] == rank)
    if not rank_n:
        return None
    hits, n = table.get((rank, inside), (0, 0))
    return (hits + prior_weight * rank_hits / rank_n) / (n + prior_weight)


def coverage(
    decks: Sequence[tuple[str, int, int]], cited: Iterable[int], suggested: Iterable[int]
) -> tuple[LectureCoverage, ...]:
    """``decks``: (name, first slide, page count). Cited beats suggested beats none."""
    cited, suggested = set(cited), set(suggested)
    out = []
    for name, first, pages in decks:
        last = first + pages - 1
        status: list[Status] = [
            "cited" if n in cited else "suggested" if n in suggested else "none" for n in range(first, last + 1)
        ]
        gaps: list[tuple[int, int]] = []
        for n, s in zip(range(first, last + 1), status):
            if s != "none":
                continue
            if gaps and gaps[-1][1] == n - 1:
                gaps[-1] = (gaps[-1][0], n)
            else:
                gaps.append((n, n))
        out.append(LectureCoverage(name, first, last, tuple(status), tuple(gaps)))
    return tuple(out)


def build_report(
    evidence: Sequence[Evidence],
    bank: Sequence[Question],
    titles: dict[int, str],
    decks: Sequence[tuple[str, int, int]],
    flag_rank: int = FLAG_RANK,
    k: int = SUGGEST,
) -> AuditReport:
    """The whole audit from gathered evidence. ``bank`` in file order; ``titles``: slide → title."""
    n_slides = max(titles) if titles else 0
    by_id = {e.question.id: e for e in evidence}
    position = {q.id: i for i, q in enumerate(bank)}
    drift = estimate_drift(evidence)
    shift = drift_at(drift)

    def candidates(e: Evidence) -> list[tuple[int, bool]]:
        window = neighbour_window(bank, position[e.question.id], shift) if e.question.id in position else None
        return order_candidates(e.fused, window)[:k]

    # Calibrate on the cited questions, each treated as uncited (its references withheld).
    outcomes: list[tuple[int, bool, bool]] = []
    hits = 0
    cited_evidence = [e for e in evidence if e.question.refs]
    for e in cited_evidence:
        wanted = {r + shift(r) for r in e.question.refs}
        top = candidates(e)
        hits += any(n in wanted for n, _ in top)
        outcomes.extend((rank, inside, n in wanted) for rank, (n, inside) in enumerate(top, start=1))
    table = calibrate(outcomes) if len(cited_evidence) >= MIN_CALIBRATION else {}

    def suggest(e: Evidence) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(n, titles.get(n, ""), confidence(table, rank, inside) if table else None, inside)
            for rank, (n, inside) in enumerate(candidates(e), start=1)
        )

    checks: list[RefCheck] = []
    suggested: list[Suggested] = []
    for q in bank:
        found = by_id.get(q.id)
        if found is None:
            continue
        e = found
        if q.refs:
            ranks = tuple((r, e.fused_rank(r)) for r in q.refs)
            flagged = not any(r is not None and r <= flag_rank for _, r in ranks)
            d = shift(min(q.refs))
            shifted = [e.fused_rank(r + d) for r in q.refs if d and 1 <= r + d <= n_slides]
            shifted_rank = min((r for r in shifted if r is not None), default=None)
            checks.append(RefCheck(q, ranks, flagged, suggest(e) if flagged else (), d, shifted_rank))
        else:
            suggested.append(Suggested(q, suggest(e)))
    cited_slides = {r + shift(r) for q in bank for r in q.refs}
    suggested_slides = {s.slide for item in suggested for s in item.suggestions}
    return AuditReport(
        tuple(checks),
        tuple(suggested),
        drift,
        coverage(decks, cited_slides, suggested_slides),
        hits / len(cited_evidence) if cited_evidence else None,
        table,
    )


def run_audit(retriever: Retriever, progress: bool = False) -> AuditReport:
    """Gather evidence for the whole bank and build the report. Needs an index."""
    if retriever.index is None:
        raise ValueError("the audit needs an index")
    started = time.perf_counter()
    evidence = gather_evidence(retriever, progress=progress)
    index = retriever.index
    titles = {s.number: s.title for s in index.slides}
    decks = [(d.stem, d.first_number, d.pages) for d in index.manifest.decks]
    report = build_report(evidence, list(retriever.bank), titles, decks)
    return AuditReport(
        report.checks,
        report.suggested,
        report.drift,
        report.coverage,
        report.suggestion_hit,
        report.calibration,
        time.perf_counter() - started,
    )


def suggestion_lines(suggested: Iterable[Suggested]) -> dict[int, tuple[int, ...]]:
    """Bank line → suggested slides, for ``assistant.bank.annotate.with_suggestions`` (headings get none)."""
    return {
        s.question.line: tuple(x.slide for x in s.suggestions)
        for s in suggested
        if s.suggestions and not s.question.heading
    }
