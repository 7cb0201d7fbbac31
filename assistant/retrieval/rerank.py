"""Optional cross-encoder reranking: a second look at the top of the fused ranking.

A cross-encoder reads the query and a slide's text together, so it can judge a match that the
separate query and slide vectors miss, at the price of one model pass per (query, slide) pair on
every query. ``Retriever`` calls it on the top ``Settings.rerank_depth`` slides only, and only when
one is given (``--reranker``); none ships with the project, so it is off by default.

sentence-transformers (and with it torch) is imported inside ``load_reranker`` only: without a
reranker the fast query path stays torch-free.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from index.errors import InputError
from index.records import Slide

PASSAGE_CHARS = 1000  # ~250 word pieces: a whole slide, well inside a cross-encoder's 512-token window
MAX_TOKENS = 512  # a query and a slide passage fit; a longer window would only cost time per pair


class Reranker(Protocol):
    """Anything that scores (query, passage) pairs; higher is more relevant."""

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One finite score per passage, shape ``(len(passages),)``."""
        ...


def passage(slide: Slide, limit: int = PASSAGE_CHARS) -> str:
    """The text a reranker reads for a slide: its title, then its text, one line, at most ``limit`` chars.

    A slide's text already starts with its title (as extracted); the title is prepended only when
    it does not, so it is never read twice.
    """
    flat = " ".join(slide.text.split())
    title = " ".join(slide.title.split())
    text = flat if not title or flat.startswith(title) else f"{title}. {flat}"
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut[limit // 2 :] else cut  # end on a word boundary


class CrossEncoderReranker:
    """A sentence-transformers ``CrossEncoder`` with one output (a relevance score), on the CPU."""

    def __init__(self, model: object, name: str) -> None:
        self.model = model
        self.name = name

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        pairs = [(query, p) for p in passages]
        scores = self.model.predict(pairs, batch_size=32, show_progress_bar=False, convert_to_numpy=True)  # type: ignore[attr-defined]
        return np.asarray(scores, dtype=np.float32).reshape(len(passages))


def _local_source(name_or_path: str) -> str:
    """The folder to load: the path itself, or the name when it is in the local Hugging Face cache.

    Checked before sentence-transformers is imported, so a wrong path fails in a moment instead of
    after the ~10 s torch import.
    """
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not path.is_dir():
            raise InputError(f"cannot load reranker {name_or_path!r}: not a folder (give a local cross-encoder folder)")
        return str(path)
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(name_or_path, "config.json")
    except Exception:  # noqa: BLE001 - an invalid repo name is the same as a missing one here
        cached = None
    if not isinstance(cached, str):
        raise InputError(
            f"cannot load reranker {name_or_path!r}: no such folder, and not in the local Hugging Face cache (nothing is downloaded)"
        )
    return name_or_path


def load_reranker(name_or_path: str) -> Reranker:
    """Load a cross-encoder from a local folder, or by name from the local cache; never downloads.

    Raises ``InputError`` ("cannot load reranker X: ...") when it is missing, not loadable, or has
    more than one output (a classifier, not a relevance scorer).
    """
    source = _local_source(name_or_path)
    # Use what is on disk, never the network: a missing model is an error, not a download.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from sentence_transformers import CrossEncoder

        model = CrossEncoder(source, device="cpu", local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - every loader failure means the same to the user
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot load reranker {name_or_path!r}: {first}") from exc
    if model.num_labels != 1:
        raise InputError(
            f"cannot load reranker {name_or_path!r}: it has {model.num_labels} outputs; a reranker has one (a relevance score)"
        )
    # The query and slide are truncated to the model's window, never run past its position table.
    length = "max_seq_length" if hasattr(type(model), "max_seq_length") else "max_length"  # sentence-transformers < 5
    limit = min(getattr(model.model.config, "max_position_embeddings", MAX_TOKENS), MAX_TOKENS)
    if not getattr(model, length, None) or getattr(model, length) > limit:
        setattr(model, length, limit)
    return CrossEncoderReranker(model, name_or_path)
