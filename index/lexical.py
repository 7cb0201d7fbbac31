"""BM25 over chunk texts, with bm25s.

Tokens are lower-case words, English stop words removed, Snowball-stemmed when PyStemmer is
installed (so "gradients" meets "gradient"). The same function tokenises documents and queries.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
# Slides and queries write the same symbol as "ω", "\omega" or "omega"; all of them become "omega".
GREEK_NAMES = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "Γ": "gamma", "Δ": "delta", "Θ": "theta", "Λ": "lambda", "Σ": "sigma",
    "Φ": "phi", "Ψ": "psi", "Ω": "omega", "∇": "nabla",
}
_GREEK_TABLE = str.maketrans({k: f" {v} " for k, v in GREEK_NAMES.items()})


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer  # PyStemmer: optional, a pure speed-and-recall improvement
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-case, split into words, drop stop words, stem. Pure; used for documents and queries."""
    stop = _stopwords()
    words = [w for w in _WORD.findall(text.translate(_GREEK_TABLE).lower()) if w not in stop]
    stemmer = _stemmer()
    return stemmer.stemWords(words) if stemmer is not None and words else words


class LexicalIndex:
    """BM25 scores for every document, shape ``(n_docs,)``."""

    def __init__(self, retriever) -> None:
        self._bm25 = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict
        self.size = int(retriever.scores["num_docs"])

    @classmethod
    def build(cls, texts: Sequence[str]) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25()
        # An empty document list would make bm25s fail; a token-less document is fine.
        retriever.index([tokenize(t) or [""] for t in texts], show_progress=False)
        return cls(retriever)

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, mmap=False))
