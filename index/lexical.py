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

from index.symbols import GREEK_NAMES
from index.text import strip_accents

_WORD = re.compile(r"[a-z0-9]+")
# Slides and queries write the same symbol as "ω", "\omega" or "omega"; all of them become "omega".
_GREEK_TABLE = str.maketrans({k: f" {v} " for k, v in GREEK_NAMES.items()})


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    # ``import bm25s.stopwords`` runs bm25s/__init__, which imports scipy (about 0.9 s): read the
    # word list module on its own, so a query never pays for the index builder.
    import importlib.util

    spec = importlib.util.find_spec("bm25s")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "stopwords.py"
        if path.is_file():
            words = importlib.util.spec_from_file_location("_slidebank_bm25s_stopwords", path)
            module = importlib.util.module_from_spec(words)  # type: ignore[arg-type]
            words.loader.exec_module(module)  # type: ignore[union-attr]
            return frozenset(module.STOPWORDS_EN)
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def stopwords() -> frozenset[str]:
    """The English stop words that ``tokenize`` drops."""
    return _stopwords()


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer  # PyStemmer: optional, a pure speed-and-recall improvement
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


def stem_words(words: list[str]) -> list[str]:
    """The stems of lower-case words, as ``tokenize`` makes them (the words themselves without PyStemmer)."""
    stemmer = _stemmer()
    return stemmer.stemWords(words) if stemmer is not None and words else list(words)


def tokenize(text: str) -> list[str]:
    """Lower-case, split into words, drop stop words, stem. Pure; used for documents and queries."""
    stop = _stopwords()
    # Accents go first: "Hölder" and "Holder" are one word, and "ϵ́" still finds its Greek name.
    return stem_words([w for w in _WORD.findall(strip_accents(text).translate(_GREEK_TABLE).lower()) if w not in stop])


class LexicalIndex:
    """BM25 scores for every document, shape ``(n_docs,)``.

    bm25s builds and saves the index; scoring reads its arrays (the per-term BM25 weights, stored
    column-compressed: term -> documents) with NumPy alone, because importing bm25s imports scipy,
    about 0.9 s of a one-shot query. Scores equal bm25s' ``get_scores`` (each query token adds
    its column; a repeated token adds it again).
    """

    def __init__(
        self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int], size: int
    ) -> None:
        self._data, self._indices, self._indptr = data, indices, indptr
        self._vocab = vocab
        self.size = int(size)
        self._saver = None  # the bm25s object when this index was just built

    @classmethod
    def build(cls, texts: Sequence[str]) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25()
        # An empty document list would make bm25s fail; a token-less document is fine.
        retriever.index([tokenize(t) or [""] for t in texts], show_progress=False)
        arrays = retriever.scores
        built = cls(arrays["data"], arrays["indices"], arrays["indptr"], retriever.vocab_dict, arrays["num_docs"])
        built._saver = retriever
        return built

    def scores(self, query: str) -> np.ndarray:
        ids = [self._vocab[t] for t in tokenize(query) if t in self._vocab]
        out = np.zeros(self.size, dtype=np.float32)
        for term in ids:
            start, end = self._indptr[term], self._indptr[term + 1]
            np.add.at(out, self._indices[start:end], self._data[start:end])
        return out

    def save(self, folder: Path) -> None:
        if self._saver is None:
            raise ValueError("only a freshly built lexical index can be saved")
        self._saver.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import json

        def array(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.csc.index.npy", allow_pickle=False)

        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        return cls(array("data"), array("indices"), array("indptr"), vocab, params["num_docs"])
