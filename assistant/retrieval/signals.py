"""The retrieval signals: pure functions over the index arrays, each giving one score per slide.

Every function returns shape ``(n_slides,)``, where ``scores[i]`` belongs to slide ``i + 1`` and
``UNRANKED`` (-inf) marks a slide the signal knows nothing about. No I/O and no model here: the
query vector and the BM25 row scores come in, already computed by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from assistant.bank.parse import Question

if TYPE_CHECKING:
    from index.store import LoadedIndex

UNRANKED = -np.inf


@dataclass(frozen=True)
class ChunkLayout:
    """Which slide each chunk row (of FAISS and BM25 alike) belongs to, and whether it is a title."""

    owner: np.ndarray  # slide number per chunk row, shape (n_chunks,)
    is_title: np.ndarray  # bool, shape (n_chunks,)
    n_slides: int

    @classmethod
    def of(cls, index: LoadedIndex) -> ChunkLayout:
        kinds = np.array([c.kind for c in index.chunks])
        return cls(index.chunk_slides, kinds == "title", len(index.slides))


def best_per_slide(rows: np.ndarray, owners: np.ndarray, n_slides: int) -> np.ndarray:
    """The best of each slide's row scores; slides with no row hold ``UNRANKED``."""
    best = np.full(n_slides + 1, UNRANKED, dtype=np.float64)
    np.maximum.at(best, owners, rows)
    return best[1:]


def dense(ids: np.ndarray, sims: np.ndarray, layout: ChunkLayout, title_weight: float) -> np.ndarray:
    """Cosine of a slide's best text chunk, blended with its title's at ``title_weight``.

    ``ids`` and ``sims``: the chunk rows a nearest-neighbour search returned and their cosines
    (rows < 0, FAISS's padding, are dropped).
    """
    keep = ids >= 0
    ids, sims = ids[keep], sims[keep].astype(np.float64)
    title_rows = layout.is_title[ids]
    text = best_per_slide(sims[~title_rows], layout.owner[ids[~title_rows]], layout.n_slides)
    title = best_per_slide(sims[title_rows], layout.owner[ids[title_rows]], layout.n_slides)
    w = title_weight
    with np.errstate(invalid="ignore"):  # 0 * -inf where a slide lacks a title; np.where drops it
        return np.where(np.isfinite(title) & np.isfinite(text), (1 - w) * text + w * title, text)


def lexical(rows: np.ndarray, layout: ChunkLayout) -> np.ndarray:
    """BM25 of a slide's best text chunk plus its title's (``rows``: one BM25 score per chunk)."""
    rows = rows.astype(np.float64)
    text = best_per_slide(rows[~layout.is_title], layout.owner[~layout.is_title], layout.n_slides)
    title = best_per_slide(rows[layout.is_title], layout.owner[layout.is_title], layout.n_slides)
    total = np.where(np.isfinite(text), text, 0.0) + np.where(np.isfinite(title), title, 0.0)
    return np.where(total > 0, total, UNRANKED)


def bank_similarities(
    bank_vectors: np.ndarray, qvec: np.ndarray, bank: Sequence[Question], exclude: frozenset[str]
) -> np.ndarray:
    """Cosine of the query to every bank question, shape (n_questions,); excluded ones hold ``UNRANKED``."""
    sims = (bank_vectors @ qvec).astype(np.float64)
    for i, q in enumerate(bank):
        if q.id in exclude:
            sims[i] = UNRANKED
    return sims


def bank_votes(
    sims: np.ndarray, bank: Sequence[Question], n_slides: int, min_similarity: float, voters: int
) -> np.ndarray:
    """Each of the ``voters`` nearest cited questions gives its slides its similarity (best vote wins)."""
    votes = np.zeros(n_slides)
    nearest = [i for i in np.argsort(-sims, kind="stable") if bank[i].refs and sims[i] >= min_similarity]
    for i in nearest[:voters]:
        for ref in bank[i].refs:
            if 1 <= ref <= n_slides:
                votes[ref - 1] = max(votes[ref - 1], sims[i])
    return votes


def nearest_section(sims: np.ndarray, bank: Sequence[Question], min_similarity: float) -> str | None:
    """The section of the most similar bank question, when it is at least ``min_similarity`` similar."""
    if min_similarity and len(sims) and np.max(sims) >= min_similarity:
        return bank[int(np.argmax(sims))].section
    return None


def section_prior(
    bank: Sequence[Question], section: str | None, exclude: frozenset[str], n_slides: int, margin: int
) -> np.ndarray:
    """1 for slides inside the span the section's other questions cite (plus ``margin``), else 0."""
    prior = np.zeros(n_slides)
    if not section:
        return prior
    refs = [r for q in bank if q.section == section and q.id not in exclude for r in q.refs if 1 <= r <= n_slides]
    if len(refs) < 2:
        return prior  # one citation is a point, not a span
    lo = max(min(refs) - margin, 1)
    hi = min(max(refs) + margin, n_slides)
    prior[lo - 1 : hi] = 1.0
    return prior
