"""Retrieval: the one function the CLI, the web app and the eval all call (``Retriever.search``).

Three rankers score slides, and reciprocal-rank fusion combines them:

- dense: cosine between the query and every chunk vector, a slide scoring its best chunk;
- lexical: BM25 over the same chunks, a slide scoring its best chunk;
- bank: the bank questions closest to the query vote for the slides they cite.

``exclude`` removes bank questions from the bank ranker and from the matches shown. The eval
passes the question being scored, so a question never finds its own references (leave-one-out).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal, Sequence

import numpy as np

from assistant.bank import Question
from assistant.normalize import latex_to_words, learn_acronyms, normalise_query
from index.embedder import Embedder
from index.records import Slide
from index.store import PROJECT_ROOT, LoadedIndex

Method = Literal["dense", "bm25", "bank", "fused"]
METHODS: tuple[Method, ...] = ("dense", "bm25", "bank", "fused")
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Settings:
    """Retrieval knobs. The defaults are the ones the eval table in the README measures."""

    rrf_k: float = 60.0
    weights: tuple[tuple[str, float], ...] = (("dense", 1.0), ("bm25", 1.0), ("bank", 0.5))
    bank_voters: int = 3  # nearest bank questions that vote for their cited slides
    bank_min_similarity: float = 0.55  # a weaker match says nothing about where the answer is
    dense_candidates: int = 2000  # chunks fetched from FAISS per query


@dataclass(frozen=True)
class SlideHit:
    slide: Slide
    score: float


@dataclass(frozen=True)
class BankHit:
    question: Question
    score: float


@dataclass(frozen=True)
class Result:
    query: str
    slides: tuple[SlideHit, ...]
    bank: tuple[BankHit, ...]
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranking:
    """Slide numbers best first, with their scores; slides a ranker knows nothing about are absent."""

    numbers: np.ndarray
    scores: np.ndarray

    def rank_of(self) -> dict[int, int]:
        return {int(n): r for r, n in enumerate(self.numbers, start=1)}


def prepare_query(query: str) -> tuple[str, tuple[str, ...]]:
    """Trim, drop control characters, cap the length. Returns (query, notices)."""
    notices: list[str] = []
    cleaned = "".join(ch if ch.isprintable() else " " for ch in query)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_QUERY_CHARS:
        cleaned = cleaned[:MAX_QUERY_CHARS]
        notices.append(f"query truncated to its first {MAX_QUERY_CHARS} characters")
    return cleaned, tuple(notices)


def question_context(question: Question, by_id: dict[str, Question]) -> str:
    """The text a bank question is matched by. Its own words only; never its references."""
    return latex_to_words(question.text)


def fuse(rankings: Iterable[tuple[Ranking, float]], rrf_k: float) -> Ranking:
    """Reciprocal-rank fusion at slide level: sum of weight / (rrf_k + rank)."""
    total: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, number in enumerate(ranking.numbers, start=1):
            total[int(number)] = total.get(int(number), 0.0) + weight / (rrf_k + rank)
    if not total:
        return Ranking(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    numbers = np.fromiter(total.keys(), dtype=np.int64)
    scores = np.fromiter(total.values(), dtype=np.float64)
    order = np.lexsort((numbers, -scores))  # ties: lower slide number first, deterministically
    return Ranking(numbers[order], scores[order].astype(np.float32))


def _best_per_slide(chunk_slides: np.ndarray, chunk_scores: np.ndarray, n_slides: int) -> Ranking:
    best = np.full(n_slides + 1, -np.inf, dtype=np.float32)
    np.maximum.at(best, chunk_slides, chunk_scores)
    numbers = np.nonzero(np.isfinite(best))[0]
    order = np.lexsort((numbers, -best[numbers]))
    return Ranking(numbers[order], best[numbers][order])


@dataclass
class Retriever:
    """Holds the loaded index, the bank and its vectors, and the query encoder."""

    index: LoadedIndex | None
    bank: tuple[Question, ...]
    encoder: Embedder
    settings: Settings = field(default_factory=Settings)
    bank_vectors: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._by_id = {q.id: q for q in self.bank}
        if self.bank_vectors is None:
            self.bank_vectors = self.encoder.encode([question_context(q, self._by_id) for q in self.bank]) if self.bank else np.zeros((0, self.encoder.dim), np.float32)
        self.acronyms = learn_acronyms(self.index.slides) if self.index is not None else {}
        if self.index is not None:
            self._chunk_slides = self.index.chunk_slides
            self._n_slides = len(self.index.slides)

    # -- rankers -----------------------------------------------------------------------------

    def _dense(self, qvec: np.ndarray) -> Ranking:
        assert self.index is not None
        k = min(self.index.dense.ntotal, self.settings.dense_candidates)
        scores, ids = self.index.dense.search(qvec[None, :], k)
        keep = ids[0] >= 0
        return _best_per_slide(self._chunk_slides[ids[0][keep]], scores[0][keep], self._n_slides)

    def _bm25(self, query: str) -> Ranking:
        assert self.index is not None
        scores = self.index.lexical.scores(query)
        hit = scores > 0
        return _best_per_slide(self._chunk_slides[hit], scores[hit], self._n_slides)

    def _bank_sims(self, qvec: np.ndarray, exclude: frozenset[str]) -> np.ndarray:
        sims = self.bank_vectors @ qvec  # type: ignore[operator]
        if exclude:
            for i, q in enumerate(self.bank):
                if q.id in exclude:
                    sims[i] = -np.inf
        return sims

    def _bank_votes(self, sims: np.ndarray) -> Ranking:
        n_slides = self._n_slides if self.index is not None else 0
        votes: dict[int, float] = {}
        cited = [i for i in np.argsort(-sims, kind="stable") if self.bank[i].refs and sims[i] >= self.settings.bank_min_similarity]
        for i in cited[: self.settings.bank_voters]:
            for ref in self.bank[i].refs:
                if 1 <= ref <= n_slides:
                    votes[ref] = votes.get(ref, 0.0) + float(max(sims[i], 0.0))
        numbers = np.fromiter(votes.keys(), dtype=np.int64, count=len(votes))
        scores = np.fromiter(votes.values(), dtype=np.float32, count=len(votes))
        order = np.lexsort((numbers, -scores))
        return Ranking(numbers[order], scores[order])

    def query_text(self, question: Question) -> str:
        """What the eval searches for a bank question: the same text a user would type."""
        return question_context(question, self._by_id)

    # -- the one entry point ------------------------------------------------------------------

    def ranking(self, query: str, method: Method = "fused", exclude: Iterable[str] = ()) -> Ranking:
        """The full slide ranking of one method: what ``search`` shows the top of."""
        query = normalise_query(prepare_query(query)[0], self.acronyms)
        qvec = self.encoder.encode([query])[0]
        return self._rank(query, qvec, self._bank_sims(qvec, frozenset(exclude)), method)

    def search(self, query: str, k: int = 5, n_bank: int = 3, method: Method = "fused", exclude: Iterable[str] = ()) -> Result:
        query, notices = prepare_query(query)
        exclude = frozenset(exclude)
        if not query:
            return Result(query="", slides=(), bank=(), notices=notices + ("empty query",))
        normalised = normalise_query(query, self.acronyms)
        qvec = self.encoder.encode([normalised])[0]
        sims = self._bank_sims(qvec, exclude)
        order = [i for i in np.argsort(-sims, kind="stable") if np.isfinite(sims[i])][:n_bank]
        bank_hits = tuple(BankHit(self.bank[i], float(sims[i])) for i in order)
        if self.index is None:
            return Result(query, (), bank_hits, notices)
        ranking = self._rank(normalised, qvec, sims, method)
        hits = tuple(SlideHit(self.index.slide(int(n)), float(s)) for n, s in zip(ranking.numbers[:k], ranking.scores[:k]))
        return Result(query, hits, bank_hits, notices)

    def _rank(self, query: str, qvec: np.ndarray, sims: np.ndarray, method: Method) -> Ranking:
        if self.index is None:
            return Ranking(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if method == "dense":
            return self._dense(qvec)
        if method == "bm25":
            return self._bm25(query)
        if method == "bank":
            return self._bank_votes(sims)
        weights = dict(self.settings.weights)
        parts = [(self._dense(qvec), weights.get("dense", 0.0)), (self._bm25(query), weights.get("bm25", 0.0)), (self._bank_votes(sims), weights.get("bank", 0.0))]
        return fuse(parts, self.settings.rrf_k)


# -- opening from disk (the I/O edge) ------------------------------------------------------------


def _cache_dir() -> Path:
    return Path(os.environ.get("SLIDEBANK_CACHE") or PROJECT_ROOT / "data" / "cache")


def cached_bank_vectors(encoder: Embedder, texts: Sequence[str], probe_key: str) -> np.ndarray:
    """Bank vectors, cached on disk by model and content; a failed cache write is not an error."""
    key = hashlib.sha256("\0".join([encoder.name, probe_key, *texts]).encode()).hexdigest()[:24]
    path = _cache_dir() / f"bank-{key}.npy"
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), encoder.dim):
            return vectors
    except (OSError, ValueError):
        pass
    vectors = encoder.encode(list(texts)) if texts else np.zeros((0, encoder.dim), np.float32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, vectors, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        pass
    return vectors


ENV_QUERY_ENCODER = "SLIDEBANK_QUERY_ENCODER"
QueryEncoder = Literal["auto", "onnx", "sentence-transformers"]


def _onnx_encoder(index: LoadedIndex) -> tuple[Embedder | None, str]:
    """The index's exported query encoder if it loads and reproduces the probe vector; else (None, why)."""
    from index.embedder import check_probe
    from index.store import query_encoder_folder

    folder = query_encoder_folder(index)
    if folder is None:
        return None, "the index has no fast query encoder (re-run python -m ingest to add one)"
    try:
        from index.onnx_encoder import OnnxEncoder

        encoder = OnnxEncoder(folder)
        check_probe(encoder, index.manifest.probe, index.manifest.model)
    except Exception as exc:  # noqa: BLE001 - a missing runtime, an unloadable or mismatched export: fall back
        return None, f"the index's fast query encoder is not usable here ({type(exc).__name__})"
    return encoder, ""


def open_retriever(
    index_dir: Path | None = None,
    bank_path: Path | None = None,
    model: str | None = None,
    settings: Settings | None = None,
    encoder: QueryEncoder | None = None,
) -> tuple[Retriever, tuple[str, ...]]:
    """Load index (if any), bank and encoder. Returns the retriever and notices for the user.

    A missing index is not an error: the bank still answers, and the notice says how to ingest.
    A damaged index or one built with another model is an error (IndexInvalid).

    ``encoder`` (default: env SLIDEBANK_QUERY_ENCODER, else "auto") picks the query encoder:
    "auto" uses the ONNX export stored in the index when it reproduces the index's probe vector
    and sentence-transformers otherwise; "onnx" insists on the export; "sentence-transformers"
    never uses it. Only the chosen one is imported, so the fast path never loads torch.
    """
    from assistant.bank import load_bank
    from index.embedder import DEFAULT_MODEL, check_probe, load_embedder
    from index.errors import IndexInvalid, IndexMissing, InputError
    from index.store import load_index

    notices: list[str] = []
    try:
        index: LoadedIndex | None = load_index(index_dir)
    except IndexMissing as exc:
        index = None
        notices.append(f"{exc}; showing bank matches only")
    if index is not None and model is not None and model != index.manifest.model:
        raise IndexInvalid(f"the index was built with model {index.manifest.model!r}, not {model!r}; re-run: python -m ingest ... --model {model}")
    name = index.manifest.model if index is not None else (model or DEFAULT_MODEL)
    choice = encoder or os.environ.get(ENV_QUERY_ENCODER) or "auto"
    if choice not in ("auto", "onnx", "sentence-transformers"):
        raise InputError(f"unknown query encoder {choice!r}; use auto, onnx or sentence-transformers")
    chosen: Embedder | None = None
    if index is not None and choice != "sentence-transformers" and not name.startswith("hash:"):
        chosen, why = _onnx_encoder(index)
        if chosen is None and choice == "onnx":
            raise IndexInvalid(f"{why}; or set {ENV_QUERY_ENCODER}=auto")
        if chosen is None:
            notices.append(f"{why}; loading sentence-transformers, which is slower")
    if chosen is None:
        chosen = load_embedder(name)
        if index is not None:
            check_probe(chosen, index.manifest.probe, index.manifest.model)
    probe = ""
    if index is not None:
        probe = ",".join(f"{x:.3f}" for x in index.manifest.probe[:8])
    bank = load_bank(bank_path)
    by_id = {q.id: q for q in bank}
    # Keyed by the encoder's kind too: each encoder ranks with the bank vectors it made itself.
    vectors = cached_bank_vectors(chosen, [question_context(q, by_id) for q in bank], f"{type(chosen).__name__}:{probe}")
    return Retriever(index=index, bank=bank, encoder=chosen, settings=settings or Settings(), bank_vectors=vectors), tuple(notices)
