"""Fusion: per-slide signal scores in, one ranking out. Pure NumPy.

A ``Ranking`` is slide numbers best first with their scores. The default fusion z-normalises
dense and (log) BM25 over the slides so neither scale dominates, then adds the bank votes and the
section prior at their weights; reciprocal-rank fusion is kept for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from assistant.retrieval.signals import UNRANKED


@dataclass(frozen=True)
class Ranking:
    """Slide numbers best first, with their scores; slides a signal knows nothing about are absent."""

    numbers: np.ndarray
    scores: np.ndarray


EMPTY = Ranking(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def to_ranking(scores: np.ndarray, positive_only: bool = False) -> Ranking:
    """``scores[i]`` belongs to slide ``i + 1``; unranked slides hold -inf. Ties: lower number first."""
    keep = np.isfinite(scores) & ((scores > 0) if positive_only else True)
    numbers = np.nonzero(keep)[0] + 1
    order = np.lexsort((numbers, -scores[numbers - 1]))
    return Ranking(numbers[order].astype(np.int64), scores[numbers - 1][order].astype(np.float32))


def from_ranking(ranking: Ranking, n_slides: int, floor: float) -> np.ndarray:
    """The inverse of ``to_ranking``: shape (n_slides,), slides the ranking lacks hold ``floor``."""
    scores = np.full(n_slides, floor, dtype=np.float64)
    scores[ranking.numbers - 1] = ranking.scores
    return scores


def zscore(scores: np.ndarray) -> np.ndarray:
    """Standardise the finite scores; unranked slides sit three deviations below the mean."""
    finite = np.isfinite(scores)
    if finite.sum() < 2:
        return np.where(finite, 0.0, -3.0)
    values = scores[finite]
    spread = values.std() or 1.0
    return np.where(finite, (scores - values.mean()) / spread, -3.0)


def fuse_zscore(
    dense: np.ndarray, lexical: np.ndarray, lexical_weight: float, extra: Iterable[tuple[np.ndarray, float]] = ()
) -> np.ndarray:
    """z(dense) + ``lexical_weight`` * z(log(1 + BM25)), plus each (scores, weight) of ``extra`` as is."""
    fused = zscore(dense) + lexical_weight * zscore(np.log1p(np.where(np.isfinite(lexical), lexical, 0.0)))
    for scores, weight in extra:
        fused = fused + weight * scores
    return fused


def fuse_rrf(rankings: Iterable[tuple[Ranking, float]], n_slides: int, rrf_k: float = 60.0) -> np.ndarray:
    """Reciprocal-rank fusion: per slide, the sum of weight / (rrf_k + rank). Shape (n_slides,)."""
    total = np.zeros(n_slides)
    for ranking, weight in rankings:
        ranks = np.arange(1, len(ranking.numbers) + 1)
        total[ranking.numbers - 1] += weight / (rrf_k + ranks)
    return np.where(total > 0, total, UNRANKED)


def blend(ranking: Ranking, other: Ranking, weight: float, n_slides: int) -> Ranking:
    """``ranking`` plus ``weight`` times ``other`` (a parent question's fused scores), slide by slide.

    A slide missing from one of them counts at the lowest score either has.
    """
    floor = min(float(ranking.scores.min()), float(other.scores.min())) if len(other.numbers) else 0.0
    return to_ranking(from_ranking(ranking, n_slides, floor) + weight * from_ranking(other, n_slides, floor))


def reorder_top(ranking: Ranking, top_scores: np.ndarray) -> Ranking:
    """The ranking with its first ``len(top_scores)`` slides re-ordered by ``top_scores`` (higher first).

    Each slide keeps its own score, so the scores of the top need not descend; ties and NaN keep
    the original order (NaN sorts last).
    """
    depth = len(top_scores)
    order = np.argsort(-np.nan_to_num(top_scores, nan=-np.inf), kind="stable")
    return Ranking(
        np.concatenate([ranking.numbers[:depth][order], ranking.numbers[depth:]]),
        np.concatenate([ranking.scores[:depth][order], ranking.scores[depth:]]),
    )
