"""A linear query adapter learned from the bank: exam wording in, slide vectors out.

The bank's questions are terse and imperative ("formulate the loss ..."), the slides are bullets
and formulas; a general-purpose embedder places the two a little apart. The adapter is one matrix
``W`` (dim, dim): a query vector ``x`` becomes ``x + x @ W`` (then unit length) before the dense
search. ``W`` is trained so that, over all slides, a softmax of ``scale * <x + xW, slide>`` puts its
mass on the slides a question cites, plus each slide's own title pointing at that slide (so the
slides alone already give it something to learn). L2 on ``W`` keeps it close to the identity map.

Leave-one-out: a question must never be scored by an adapter that saw its references. The
retriever trains one adapter on every cited question for new queries, and for a question it is
told to exclude, the adapter of that question's fold (question ``i`` of the cited ones is in
fold ``i % FOLDS``), trained without that fold. ``AdapterBank`` owns those folds: it trains each
adapter on first use and keeps it, in memory and in the on-disk cache. NumPy only: the fast query
path stays torch-free.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from assistant.bank.parse import Question
from assistant.retrieval.cache import cached_array
from assistant.retrieval.signals import ChunkLayout
from index.records import Slide

if TYPE_CHECKING:
    from index.embedder import Embedder
    from index.store import LoadedIndex

FOLDS = 5


@dataclass(frozen=True)
class AdapterSettings:
    epochs: int = 100  # converged: 100, 200 and 400 rank the bank identically
    learning_rate: float = 1e-3
    l2: float = 0.01
    scale: float = 20.0  # softmax temperature: cosines live in [-1, 1]


@dataclass(frozen=True)
class TrainingSet:
    """``vectors[i]`` (unit, shape (n, dim)) should land on ``targets[i]`` (slide numbers)."""

    vectors: np.ndarray
    targets: tuple[tuple[int, ...], ...]


def slide_vectors(
    chunk_vectors: np.ndarray, chunk_slides: np.ndarray, is_title: np.ndarray, n_slides: int
) -> np.ndarray:
    """One unit vector per slide, the mean of its text chunks' vectors: shape (n_slides, dim).

    A slide with no text chunk (an image-only page) keeps a zero row: it can never be a target.
    """
    out = np.zeros((n_slides, chunk_vectors.shape[1]), dtype=np.float64)
    text = ~is_title
    np.add.at(out, chunk_slides[text] - 1, chunk_vectors[text])
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def cited(bank: Sequence[Question], n_slides: int) -> list[Question]:
    """The questions an adapter may learn from: those citing slides that exist, in bank order."""
    return [q for q in bank if q.refs and all(1 <= r <= n_slides for r in q.refs)]


def fold_of(bank: Sequence[Question], n_slides: int) -> dict[str, int]:
    """Question id -> its fold, for every question an adapter may learn from."""
    return {q.id: i % FOLDS for i, q in enumerate(cited(bank, n_slides))}


def titled(slides: Sequence[Slide]) -> list[Slide]:
    return [s for s in slides if len(s.title) > 3 and s.text.strip()]


def train(data: TrainingSet, slides: np.ndarray, settings: AdapterSettings = AdapterSettings()) -> np.ndarray:
    """Full-batch Adam on the softmax cross-entropy over all slides. Returns W, shape (dim, dim), float32.

    Deterministic: it starts from W = 0 (the identity map) and has no randomness.
    """
    x = np.asarray(data.vectors, dtype=np.float32)
    s = np.asarray(slides, dtype=np.float32)
    n, dim = x.shape
    if n == 0:
        return np.zeros((dim, dim), dtype=np.float32)  # nothing to learn from: the identity map
    y = np.zeros((n, len(s)), dtype=np.float32)
    for i, refs in enumerate(data.targets):
        y[i, [r - 1 for r in refs]] = 1.0 / len(refs)
    w = np.zeros((dim, dim), dtype=np.float32)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, settings.epochs + 1):
        u = x + x @ w
        norm = np.linalg.norm(u, axis=1, keepdims=True)
        z = u / norm
        logits = settings.scale * z @ s.T
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad_z = settings.scale * (p - y) @ s / n
        grad_u = (grad_z - z * (grad_z * z).sum(axis=1, keepdims=True)) / norm  # through the normalisation
        grad = x.T @ grad_u + 2 * settings.l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= settings.learning_rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def apply(w: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``x + x @ W``, unit length, float32: shape (dim,)."""
    moved = vector + vector @ w
    return (moved / max(float(np.linalg.norm(moved)), 1e-12)).astype(np.float32)


def training_set(
    questions: Sequence[Question], question_vectors: np.ndarray, slides: Sequence[Slide], title_vectors: np.ndarray
) -> TrainingSet:
    """Questions with their references, then every titled slide's title with that slide."""
    targets = tuple(q.refs for q in questions) + tuple((s.number,) for s in slides)
    dim = question_vectors.shape[-1]
    vectors = np.concatenate([question_vectors.reshape(len(questions), dim), title_vectors.reshape(len(slides), dim)])
    return TrainingSet(vectors, targets)


def cache_key(
    encoder_key: str, questions: Sequence[Question], slides: Sequence[Slide], settings: AdapterSettings
) -> str:
    """Content hash of everything a trained adapter depends on."""
    h = hashlib.sha256(f"{encoder_key}\0{settings}".encode())
    for q in questions:
        h.update(f"\0q{q.text}\0{q.refs}".encode())
    for s in slides:
        h.update(f"\0s{s.number}\0{s.title}\0{s.text}".encode())
    return h.hexdigest()[:24]


class AdapterBank:
    """The query adapters of one index, bank and encoder: ``W`` per held-out fold, trained once.

    ``for_query(exclude)`` gives the adapter trained on every cited question, or, when ``exclude``
    names one of them, the one trained without that question's fold. Each is trained on first
    use (or read from the on-disk cache, keyed by everything it depends on) and then kept.
    """

    def __init__(
        self,
        index: LoadedIndex,
        bank: Sequence[Question],
        bank_vectors: np.ndarray,
        encoder: Embedder,
        layout: ChunkLayout,
        settings: AdapterSettings = AdapterSettings(),
        cache: Path | None = None,
    ) -> None:
        self.index = index
        self.bank = tuple(bank)
        self.bank_vectors = bank_vectors
        self.encoder = encoder
        self.layout = layout
        self.settings = settings
        self.cache = cache  # where trained adapters are kept between runs (None: in memory only)
        self.folds = fold_of(self.bank, layout.n_slides)  # question id -> fold, cited questions only
        self._trained: dict[int | None, np.ndarray] = {}  # fold left out (None: none) -> W
        self._slide_vectors: np.ndarray | None = None
        self._title_vectors: np.ndarray | None = None

    def serves(self, index: LoadedIndex | None, bank: Sequence[Question], encoder: Embedder) -> bool:
        """Whether these adapters were trained for this index, bank and encoder (so may be shared)."""
        return self.index is index and self.bank == tuple(bank) and self.encoder is encoder

    def fold_left_out(self, exclude: Iterable[str] = ()) -> int | None:
        """The fold of the first excluded question that has one; None when none does."""
        return next((self.folds[qid] for qid in exclude if qid in self.folds), None)

    def for_query(self, exclude: Iterable[str] = ()) -> np.ndarray | None:
        """W for a query whose ``exclude``d questions must not have shaped it; None: nothing to learn from."""
        if not self.folds:
            return None
        fold = self.fold_left_out(exclude)
        w = self._trained.get(fold)
        if w is None:
            w = self._trained[fold] = self._train(fold)
        return w

    def slide_vectors(self) -> np.ndarray:
        """One unit vector per slide, shape (n_slides, dim): the training targets (see ``slide_vectors``)."""
        if self._slide_vectors is None:
            layout = self.layout
            self._slide_vectors = slide_vectors(self.index.vectors(), layout.owner, layout.is_title, layout.n_slides)
        return self._slide_vectors

    def _train(self, fold: int | None) -> np.ndarray:
        # Cited questions outside the held-out fold (fold None holds none out); uncited ones teach nothing.
        rows = [i for i, q in enumerate(self.bank) if q.id in self.folds and self.folds[q.id] != fold]
        questions = [self.bank[i] for i in rows]
        slides = titled(self.index.slides)
        encoder_key = f"{type(self.encoder).__name__}:{self.encoder.name}:{self.index.manifest.probe[:8]}"
        key = cache_key(encoder_key, questions, slides, self.settings)

        def compute() -> np.ndarray:
            if self._title_vectors is None:
                self._title_vectors = self.encoder.encode([s.title for s in slides])
            data = training_set(questions, self.bank_vectors[rows], slides, self._title_vectors)
            return train(data, self.slide_vectors(), self.settings)

        return cached_array(self.cache, f"adapter-{key}", (self.encoder.dim, self.encoder.dim), compute)
