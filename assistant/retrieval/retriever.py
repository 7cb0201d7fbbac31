"""Retrieval: the one function the CLI, the web app and the eval all call (``Retriever.search``).

Every slide gets one score per signal, and the fused score is their weighted sum:

- dense: cosine between the query and the slide (its best text chunk, blended with its title); in
  the fused ranking the query vector first passes the bank-trained query adapter (``adapter.py``);
- lexical: BM25 of the slide's best text chunk plus its title (titles name the topic);
- bank: the bank questions closest to the query vote for the slides they cite;
- section (only when the query is a bank question, e.g. clicked in the bank browser): slides
  inside the span that the *other* questions of its section cite get a prior;
- context (only for a clicked sub-question): the fused scores of the question it is nested under,
  at a small weight, so "What is the problem with it?" keeps its parent's topic.

Dense and lexical scores are z-normalised over the slides before they are added, so neither
scale dominates. ``exclude`` removes bank questions from the bank and section signals and from
the matches shown, and swaps in a query adapter trained without them: the eval passes the
question being scored, so a question never sees its own references (leave-one-out).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal, Sequence

import numpy as np

from assistant.retrieval import adapter as query_adapter
from assistant.bank.parse import Question
from assistant.retrieval.normalize import latex_to_words, learn_acronyms, normalise_query
from assistant.retrieval.rerank import Reranker, passage
from index.embedder import Embedder
from index.records import Slide
from index.store import PROJECT_ROOT, LoadedIndex

Method = Literal["dense", "bm25", "bank", "fused"]
METHODS: tuple[Method, ...] = ("dense", "bm25", "bank", "fused")
MAX_QUERY_CHARS = 2000
_UNRANKED = -np.inf


@dataclass(frozen=True)
class Settings:
    """Retrieval weights. The defaults are the ones the README's eval and ablation tables measure."""

    title_weight: float = 0.15  # share of the title vector in a slide's dense score
    lexical_weight: float = 0.7  # z-scored BM25 next to z-scored dense (weight 1)
    bank_weight: float = 1.0
    bank_min_similarity: float = 0.7  # a weaker match says nothing about where the answer is
    bank_voters: int = 3
    section_weight: float = 1.0
    section_margin: int = 2  # slides beyond the span the section's other questions cite
    section_from_bank: float = 0.4  # typed queries: take the section of the nearest bank question this similar
    # A sub-question's parent, blended in: small, because the answer is usually the *next* slide
    # after the parent's (pasting the parent into the query instead pulls it onto the parent's slide).
    context_weight: float = 0.2
    query_adapter: bool = True  # fused dense search through the adapter learned from the bank's questions
    dense_candidates: int = 4000  # chunks fetched from FAISS per query
    fusion: Literal["zscore", "rrf"] = "zscore"  # rrf: reciprocal-rank fusion, kept for comparison
    rrf_k: float = 60.0
    rerank_depth: int = 20  # fused slides a reranker (when given) re-orders; each costs one model pass per query


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
    """Slide numbers best first, with their scores; slides a signal knows nothing about are absent."""

    numbers: np.ndarray
    scores: np.ndarray


def prepare_query(query: str) -> tuple[str, tuple[str, ...]]:
    """Trim, drop control characters, cap the length. Returns (query, notices)."""
    notices: list[str] = []
    cleaned = "".join(ch if ch.isprintable() else " " for ch in query)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_QUERY_CHARS:
        cleaned = cleaned[:MAX_QUERY_CHARS]
        notices.append(f"query truncated to its first {MAX_QUERY_CHARS} characters")
    return cleaned, tuple(notices)


def parent_text(bank: Sequence[Question], question: Question) -> str | None:
    """The text of the bank question ``question`` is nested under (its context), if any. Never references."""
    if question.parent is None:
        return None
    return next((q.text for q in bank if q.id == question.parent), None)


def question_context(question: Question) -> str:
    """The text a bank question is matched by. Its own words only; never its references."""
    return latex_to_words(question.text)


def to_ranking(scores: np.ndarray, positive_only: bool = False) -> Ranking:
    """``scores[i]`` belongs to slide ``i + 1``; unranked slides hold -inf. Ties: lower number first."""
    keep = np.isfinite(scores) & ((scores > 0) if positive_only else True)
    numbers = np.nonzero(keep)[0] + 1
    order = np.lexsort((numbers, -scores[numbers - 1]))
    return Ranking(numbers[order].astype(np.int64), scores[numbers - 1][order].astype(np.float32))


def from_ranking(ranking: Ranking, n_slides: int, floor: float) -> np.ndarray:
    """The inverse of ``to_ranking``: shape (n_slides,), slides the ranking lacks hold ``floor``."""
    scores = np.full(n_slides, floor, dtype=np.float64)
    scores[ranking.numbers - 1] = ranking.scores
    return scores


def zscore(scores: np.ndarray) -> np.ndarray:
    """Standardise the finite scores; unranked slides sit three deviations below the mean."""
    finite = np.isfinite(scores)
    if finite.sum() < 2:
        return np.where(finite, 0.0, -3.0)
    values = scores[finite]
    spread = values.std() or 1.0
    return np.where(finite, (scores - values.mean()) / spread, -3.0)


def fuse_rrf(rankings: Iterable[tuple[Ranking, float]], n_slides: int, rrf_k: float = 60.0) -> np.ndarray:
    """Reciprocal-rank fusion: per slide, the sum of weight / (rrf_k + rank). Shape (n_slides,)."""
    total = np.zeros(n_slides)
    for ranking, weight in rankings:
        ranks = np.arange(1, len(ranking.numbers) + 1)
        total[ranking.numbers - 1] += weight / (rrf_k + ranks)
    return np.where(total > 0, total, _UNRANKED)


def _best_per_slide(rows: np.ndarray, owners: np.ndarray, n_slides: int) -> np.ndarray:
    best = np.full(n_slides + 1, _UNRANKED, dtype=np.float64)
    np.maximum.at(best, owners, rows)
    return best[1:]


@dataclass
class Retriever:
    """Holds the loaded index, the bank and its vectors, and the query encoder."""

    index: LoadedIndex | None
    bank: tuple[Question, ...]
    encoder: Embedder
    settings: Settings = field(default_factory=Settings)
    bank_vectors: np.ndarray | None = None
    reranker: Reranker | None = None  # optional cross-encoder for the top of the fused ranking

    def __post_init__(self) -> None:
        if self.bank_vectors is None:
            texts = [question_context(q) for q in self.bank]
            self.bank_vectors = self.encoder.encode(texts) if texts else np.zeros((0, self.encoder.dim), np.float32)
        self.acronyms = learn_acronyms(self.index.slides) if self.index is not None else {}
        self._n = len(self.index.slides) if self.index is not None else 0
        self._vectors: dict[str, np.ndarray] = {}
        self._adapters: dict[int | None, np.ndarray] = {}  # fold left out (None: none) -> W
        self._adapter_inputs: dict[str, np.ndarray] = {}  # slide and title vectors, the same for every fold
        self._folds = query_adapter.fold_of(self.bank, self._n) if self.index is not None else {}
        if self.index is not None:
            kinds = np.array([c.kind for c in self.index.chunks])
            self._owner = self.index.chunk_slides
            self._is_title = kinds == "title"

    def with_settings(self, **changes: object) -> "Retriever":
        """The same loaded retriever with other weights; vectors and the query memo are shared."""
        variant = dataclasses.replace(self, settings=dataclasses.replace(self.settings, **changes))
        variant._vectors = self._vectors
        variant._adapters = self._adapters
        variant._adapter_inputs = self._adapter_inputs
        return variant

    def embed(self, text: str) -> np.ndarray:
        """Query vector, remembered for the last few hundred queries (the eval asks each many times)."""
        vector = self._vectors.get(text)
        if vector is None:
            if len(self._vectors) >= 512:
                self._vectors.clear()
            vector = self._vectors[text] = self.encoder.encode([text])[0]
        return vector

    # -- the query adapter (see assistant/adapter.py) ---------------------------------------------

    def adapter_for(self, exclude: Iterable[str] = ()) -> np.ndarray | None:
        """W for a query: trained on every cited question, or, when ``exclude`` names one of them,
        on the other folds only, so an excluded question's references never shaped it."""
        if not self.settings.query_adapter or self.index is None or not self._folds:
            return None
        fold = next((self._folds[qid] for qid in exclude if qid in self._folds), None)
        w = self._adapters.get(fold)
        if w is None:
            w = self._adapters[fold] = self._train_adapter(fold)
        return w

    def _train_adapter(self, fold: int | None) -> np.ndarray:
        assert self.index is not None and self.bank_vectors is not None
        # Cited questions outside the held-out fold (fold None holds none out); uncited ones teach nothing.
        rows = [i for i, q in enumerate(self.bank) if q.id in self._folds and self._folds[q.id] != fold]
        questions = [self.bank[i] for i in rows]
        slides = query_adapter.titled(self.index.slides)
        config = query_adapter.AdapterSettings()
        encoder_key = f"{type(self.encoder).__name__}:{self.encoder.name}:{self.index.manifest.probe[:8]}"
        path = _cache_dir() / f"adapter-{query_adapter.cache_key(encoder_key, questions, slides, config)}.npy"
        try:
            w = np.load(path, allow_pickle=False)
            if w.shape == (self.encoder.dim, self.encoder.dim):
                return w
        except (OSError, ValueError):
            pass
        inputs = self._adapter_inputs
        if not inputs:
            inputs["slides"] = query_adapter.slide_vectors(self.index.vectors(), self._owner, self._is_title, self._n)
            inputs["titles"] = self.encoder.encode([s.title for s in slides])
        data = query_adapter.training_set(questions, self.bank_vectors[rows], slides, inputs["titles"])
        w = query_adapter.train(data, inputs["slides"], config)
        _save_quietly(path, w)
        return w

    # -- signals: each returns one score per slide, shape (n_slides,) ----------------------------

    def dense_scores(self, qvec: np.ndarray) -> np.ndarray:
        """Dense score of every slide for a query vector, shape (n_slides,); -inf where unranked."""
        return self._dense(qvec)

    def _dense(self, qvec: np.ndarray) -> np.ndarray:
        assert self.index is not None
        k = min(self.index.dense.ntotal, self.settings.dense_candidates)
        sims, ids = self.index.dense.search(qvec[None, :].astype(np.float32), k)
        ids, sims = ids[0], sims[0].astype(np.float64)
        keep = ids >= 0
        ids, sims = ids[keep], sims[keep]
        title_rows = self._is_title[ids]
        text = _best_per_slide(sims[~title_rows], self._owner[ids[~title_rows]], self._n)
        title = _best_per_slide(sims[title_rows], self._owner[ids[title_rows]], self._n)
        w = self.settings.title_weight
        with np.errstate(invalid="ignore"):  # 0 * -inf where a slide lacks a title; np.where drops it
            return np.where(np.isfinite(title) & np.isfinite(text), (1 - w) * text + w * title, text)

    def _lexical(self, query: str) -> np.ndarray:
        assert self.index is not None
        rows = self.index.lexical.scores(query).astype(np.float64)
        text = _best_per_slide(rows[~self._is_title], self._owner[~self._is_title], self._n)
        title = _best_per_slide(rows[self._is_title], self._owner[self._is_title], self._n)
        total = np.where(np.isfinite(text), text, 0.0) + np.where(np.isfinite(title), title, 0.0)
        return np.where(total > 0, total, _UNRANKED)

    def _bank_sims(self, qvec: np.ndarray, exclude: frozenset[str]) -> np.ndarray:
        sims = (self.bank_vectors @ qvec).astype(np.float64)  # type: ignore[operator]
        for i, q in enumerate(self.bank):
            if q.id in exclude:
                sims[i] = _UNRANKED
        return sims

    def _bank_votes(self, sims: np.ndarray) -> np.ndarray:
        """Each of the nearest cited questions gives its slides its similarity (best vote wins)."""
        votes = np.zeros(self._n)
        voters = [i for i in np.argsort(-sims, kind="stable") if self.bank[i].refs and sims[i] >= self.settings.bank_min_similarity]
        for i in voters[: self.settings.bank_voters]:
            for ref in self.bank[i].refs:
                if 1 <= ref <= self._n:
                    votes[ref - 1] = max(votes[ref - 1], sims[i])
        return votes

    def _section_prior(self, section: str | None, exclude: frozenset[str]) -> np.ndarray:
        """1 for slides inside the span the section's other questions cite, else 0."""
        prior = np.zeros(self._n)
        if not section:
            return prior
        refs = [r for q in self.bank if q.section == section and q.id not in exclude for r in q.refs if 1 <= r <= self._n]
        if len(refs) < 2:
            return prior  # one citation is a point, not a span
        lo = max(min(refs) - self.settings.section_margin, 1)
        hi = min(max(refs) + self.settings.section_margin, self._n)
        prior[lo - 1 : hi] = 1.0
        return prior

    def _scores(self, query: str, qvec: np.ndarray, sims: np.ndarray, method: Method, section: str | None, exclude: frozenset[str]) -> Ranking:
        if self.index is None:
            return Ranking(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if method == "dense":
            return to_ranking(self._dense(qvec))
        if method == "bm25":
            return to_ranking(self._lexical(query))
        if method == "bank":
            return to_ranking(self._bank_votes(sims), positive_only=True)
        s = self.settings
        lexical = self._lexical(query)
        w = self.adapter_for(exclude)
        if w is not None:
            qvec = query_adapter.apply(w, qvec)
            sims = self._bank_sims(qvec, exclude)
        dense = self._dense(qvec)
        if s.fusion == "rrf":
            parts = [(to_ranking(dense), 1.0), (to_ranking(lexical), s.lexical_weight), (to_ranking(self._bank_votes(sims), True), s.bank_weight)]
            return to_ranking(fuse_rrf(parts, self._n, s.rrf_k))
        fused = zscore(dense) + s.lexical_weight * zscore(np.log1p(np.where(np.isfinite(lexical), lexical, 0.0)))
        if s.bank_weight:
            fused = fused + s.bank_weight * self._bank_votes(sims)
        if s.section_weight:
            if section is None and s.section_from_bank and len(sims) and np.max(sims) >= s.section_from_bank:
                section = self.bank[int(np.argmax(sims))].section
            fused = fused + s.section_weight * self._section_prior(section, exclude)
        return to_ranking(fused)

    def _with_context(self, ranking: Ranking, context: str | None, method: Method, section: str | None, exclude: frozenset[str]) -> Ranking:
        """Fused scores plus ``context_weight`` times the fused scores of ``context`` (a parent question)."""
        weight = self.settings.context_weight
        text = normalise_query(prepare_query(context)[0], self.acronyms) if context else ""
        if not text or not weight or method != "fused" or self.settings.fusion != "zscore" or not len(ranking.numbers):
            return ranking
        cvec = self.embed(text)
        parent = self._scores(text, cvec, self._bank_sims(cvec, exclude), method, section, exclude)
        floor = min(float(ranking.scores.min()), float(parent.scores.min())) if len(parent.numbers) else 0.0
        return to_ranking(from_ranking(ranking, self._n, floor) + weight * from_ranking(parent, self._n, floor))

    def _rerank(self, query: str, ranking: Ranking, method: Method) -> Ranking:
        """The fused ranking with its top ``rerank_depth`` slides in the reranker's order; the rest unchanged.

        Only "fused" is reranked (the single-signal rankings stay what they measure). Each slide keeps
        its fused score, so with a reranker the scores of the top need not descend. Ties keep the fused order.
        """
        depth = min(self.settings.rerank_depth, len(ranking.numbers))
        if self.reranker is None or method != "fused" or depth < 2 or self.index is None:
            return ranking
        top = ranking.numbers[:depth]
        scores = np.asarray(self.reranker.score(query, [passage(self.index.slide(int(n))) for n in top]), dtype=np.float64).reshape(-1)
        if scores.shape != (depth,):
            raise ValueError(f"the reranker returned {scores.shape[0]} scores for {depth} passages")
        order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
        return Ranking(np.concatenate([top[order], ranking.numbers[depth:]]), np.concatenate([ranking.scores[:depth][order], ranking.scores[depth:]]))

    # -- the one entry point ------------------------------------------------------------------

    def query_text(self, question: Question) -> str:
        """What the eval searches for a bank question: the same text a user would type."""
        return question.text

    def ranking(
        self, query: str, method: Method = "fused", exclude: Iterable[str] = (), section: str | None = None, context: str | None = None
    ) -> Ranking:
        """The full slide ranking of one method: what ``search`` shows the top of."""
        normalised = normalise_query(prepare_query(query)[0], self.acronyms)
        exclude = frozenset(exclude)
        qvec = self.embed(normalised)
        ranking = self._scores(normalised, qvec, self._bank_sims(qvec, exclude), method, section, exclude)
        ranking = self._with_context(ranking, context, method, section, exclude)
        return self._rerank(normalised, ranking, method)

    def search(
        self,
        query: str,
        k: int = 5,
        n_bank: int = 3,
        method: Method = "fused",
        exclude: Iterable[str] = (),
        section: str | None = None,
        context: str | None = None,
    ) -> Result:
        """Top ``k`` slides and ``n_bank`` bank questions for ``query``.

        ``section``: the bank section the query comes from (a clicked bank question), if any.
        ``context``: the text of the bank question it is nested under, if any (see ``parent_text``).
        """
        query, notices = prepare_query(query)
        exclude = frozenset(exclude)
        if not query:
            return Result(query="", slides=(), bank=(), notices=notices + ("empty query",))
        normalised = normalise_query(query, self.acronyms)
        qvec = self.embed(normalised)
        sims = self._bank_sims(qvec, exclude)
        order = [i for i in np.argsort(-sims, kind="stable") if np.isfinite(sims[i])][:n_bank]
        bank_hits = tuple(BankHit(self.bank[i], float(sims[i])) for i in order)
        if self.index is None:
            return Result(query, (), bank_hits, notices)
        ranking = self._scores(normalised, qvec, sims, method, section, exclude)
        ranking = self._with_context(ranking, context, method, section, exclude)
        ranking = self._rerank(normalised, ranking, method)
        hits = tuple(SlideHit(self.index.slide(int(n)), float(v)) for n, v in zip(ranking.numbers[:k], ranking.scores[:k]))
        return Result(query, hits, bank_hits, notices)


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
    _save_quietly(path, vectors)
    return vectors


def _save_quietly(path: Path, array: np.ndarray) -> None:
    """Atomic write of a cache file; a read-only or full disk only costs recomputing it next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, array, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        pass


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
    reranker: str | None = None,
) -> tuple[Retriever, tuple[str, ...]]:
    """Load index (if any), bank and encoder. Returns the retriever and notices for the user.

    A missing index is not an error: the bank still answers, and the notice says how to ingest.
    A damaged index or one built with another model is an error (IndexInvalid).

    ``encoder`` (default: env SLIDEBANK_QUERY_ENCODER, else "auto") picks the query encoder:
    "auto" uses the ONNX export stored in the index when it reproduces the index's probe vector
    and sentence-transformers otherwise; "onnx" insists on the export; "sentence-transformers"
    never uses it. Only the chosen one is imported, so the fast path never loads torch.

    ``reranker`` (a local cross-encoder folder or cached name; default none) re-orders the top of
    every fused ranking; it loads sentence-transformers, and an unloadable one is an InputError.
    """
    from assistant.bank.parse import load_bank, reference_notices
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
    notices.extend(reference_notices(bank, len(index.slides) if index is not None else None))
    # Keyed by the encoder's kind too: each encoder ranks with the bank vectors it made itself.
    vectors = cached_bank_vectors(chosen, [question_context(q) for q in bank], f"{type(chosen).__name__}:{probe}")
    loaded = None
    if reranker is not None:
        from assistant.retrieval.rerank import load_reranker

        loaded = load_reranker(reranker)
    return Retriever(index=index, bank=bank, encoder=chosen, settings=settings or Settings(), bank_vectors=vectors, reranker=loaded), tuple(notices)
