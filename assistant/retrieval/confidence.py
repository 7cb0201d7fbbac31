"""How sure retrieval is that the slides cover a query: the basis of abstention.

The signal is the best dense cosine between the query and any chunk of the deck. On the real
deck it separates course questions from everything else far better than the fused RRF score
(which is rank-based, so every query has a "best" slide) or the BM25 score (common words match
somewhere); the README gives the distributions.

The threshold is calibrated from the bank side only: a low percentile of the same signal over
the bank's own questions (every bank question is in scope by definition). No out-of-scope
question is used to set it, so the out-of-scope abstention rate measured afterwards is a
held-out check. The rule re-calibrates itself for any deck, bank and embedding model.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from assistant.retrieval.retriever import Retriever

DEFAULT_PERCENTILE = 5.0  # accept abstaining on about 1 in 20 course questions to refuse off-topic ones


def confidences(retriever: Retriever, queries: Sequence[str]) -> np.ndarray:
    """Best slide's dense score for each query, shape ``(len(queries),)``; the query path's own normalisation.

    Equal to ``retriever.ranking(query, "dense").scores[0]``; the query vectors come from the
    retriever's memo, so after ``search`` the same query is not encoded again.
    """
    if retriever.index is None or not queries:
        return np.zeros(len(queries), dtype=np.float32)
    texts = [retriever.normalise(q) for q in queries]
    return _best_dense(retriever, np.stack([retriever.embed(t) for t in texts]))


def _best_dense(retriever: Retriever, vectors: np.ndarray) -> np.ndarray:
    """The top slide's dense score (text blended with title, as ranked) per vector."""
    return np.array([np.max(retriever.dense_scores(v)) for v in vectors], dtype=np.float32)


def query_confidence(retriever: Retriever, query: str) -> float | None:
    """The confidence of one query; None without an index (nothing to be confident about)."""
    if retriever.index is None:
        return None
    return float(confidences(retriever, [query])[0])


def bank_confidences(retriever: Retriever) -> np.ndarray:
    """The signal over every bank question, searched with the text a user would type."""
    return confidences(retriever, [retriever.query_text(q) for q in retriever.bank])


def bank_confidences_fast(retriever: Retriever) -> np.ndarray:
    """The same from the bank vectors the retriever already holds (no encoding: milliseconds).

    They are the bank questions encoded without the query path's acronym expansion, so a few
    values differ slightly from ``bank_confidences``; the eval reports both thresholds.
    """
    if retriever.index is None or retriever.bank_vectors is None or len(retriever.bank_vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    return _best_dense(retriever, retriever.bank_vectors)


def threshold_from(in_scope: np.ndarray, percentile: float = DEFAULT_PERCENTILE) -> float:
    """The percentile of in-scope confidences below which a query abstains."""
    if len(in_scope) == 0:
        return 0.0
    return float(np.percentile(in_scope, percentile))


def calibrate(retriever: Retriever, percentile: float = DEFAULT_PERCENTILE) -> float | None:
    """The abstention threshold for this retriever's deck, bank and model (None without an index or bank)."""
    if retriever.index is None or not retriever.bank:
        return None
    return threshold_from(bank_confidences_fast(retriever), percentile)
