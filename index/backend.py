"""The store interface behind ``Retriever``: what a loaded index's dense and lexical halves answer.

The local store (index/store.py) fills them with a FAISS flat index and the bm25s arrays; the
shared store (index/pg/read.py) with pgvector searches and the same BM25 rebuilt from stored text
(or PostgreSQL's full-text ranking). Retrieval only ever calls these methods, so it ranks the same
whichever store holds the deck.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class DenseSearch(Protocol):
    """Chunk vectors (unit length), searched by inner product."""

    d: int
    ntotal: int

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(sims, ids)``, each ``(1, k)``: the ``k`` chunk rows nearest one query vector; ids -1 pad."""
        ...

    def reconstruct_n(self, start: int, n: int) -> np.ndarray:
        """Chunk vectors ``start .. start + n``, shape ``(n, d)``."""
        ...


class LexicalScorer(Protocol):
    """A lexical score for every chunk row."""

    size: int

    def scores(self, query: str) -> np.ndarray:
        """Shape ``(size,)``; 0 where a chunk shares no term with the query."""
        ...
