"""``QueryMemo``: query text -> query vector, for the last few hundred queries.

The eval and the audit ask each question many times (per method, per ablation), and the app asks
again when a user re-runs a search; encoding is most of a warm query's time. Timing code calls
``clear()`` so that every timed query pays for its encoding, as a new question does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.embedder import Embedder

MEMO_SIZE = 512


class QueryMemo:
    """Remembers the vector of each query text; forgets everything once ``size`` are held.

    Vectors belong to the encoder that made them: asked with another encoder, the memo starts over.
    """

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self._encoder: Embedder | None = None
        self._vectors: dict[str, np.ndarray] = {}

    def vector(self, text: str, encoder: Embedder) -> np.ndarray:
        """The query vector of ``text``, shape (dim,), encoded on first use."""
        if encoder is not self._encoder:
            self._vectors.clear()
            self._encoder = encoder
        vector = self._vectors.get(text)
        if vector is None:
            if len(self._vectors) >= self.size:
                self._vectors.clear()
            vector = self._vectors[text] = encoder.encode([text])[0]
        return vector

    def clear(self) -> None:
        self._vectors.clear()

    def __len__(self) -> int:
        return len(self._vectors)
