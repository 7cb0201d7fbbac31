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
fold ``i % FOLDS``), trained without that fold. NumPy only: the fast query path stays torch-free.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.bank.parse import Question
from index.records import Slide

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


def slide_vectors(chunk_vectors: np.ndarray, chunk_slides: np.ndarray, is_title: np.ndarray, n_slides: int) -> np.ndarray:
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


def training_set(questions: Sequence[Question], question_vectors: np.ndarray, slides: Sequence[Slide], title_vectors: np.ndarray) -> TrainingSet:
    """Questions with their references, then every titled slide's title with that slide."""
    targets = tuple(q.refs for q in questions) + tuple((s.number,) for s in slides)
    dim = question_vectors.shape[-1]
    vectors = np.concatenate([question_vectors.reshape(len(questions), dim), title_vectors.reshape(len(slides), dim)])
    return TrainingSet(vectors, targets)


def cache_key(encoder_key: str, questions: Sequence[Question], slides: Sequence[Slide], settings: AdapterSettings) -> str:
    """Content hash of everything a trained adapter depends on."""
    h = hashlib.sha256(f"{encoder_key}\0{settings}".encode())
    for q in questions:
        h.update(f"\0q{q.text}\0{q.refs}".encode())
    for s in slides:
        h.update(f"\0s{s.number}\0{s.title}\0{s.text}".encode())
    return h.hexdigest()[:24]
