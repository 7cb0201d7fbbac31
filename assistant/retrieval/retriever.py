"""Retrieval: the one function the CLI, the web app and the eval all call (``Retriever.search``).

``Retriever`` is a facade. The signals are pure functions in ``signals.py``, their fusion is in
``fusion.py``, the query adapters live in an ``AdapterBank`` (``adapter.py``) and query vectors in a
``QueryMemo`` (``memo.py``). ``search`` and ``ranking`` share one path: prepare and normalise the
query, encode it (``encode``), rank one method (``method_ranking``), blend in the parent question
(context), rerank the top. Opening an index, the encoders and the caches is ``loading.py``
(``open_retriever``); this module reads no files.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal, Sequence

import numpy as np

from assistant.bank.parse import Question
from assistant.retrieval import signals
from assistant.retrieval.adapter import AdapterBank
from assistant.retrieval.adapter import apply as apply_adapter
from assistant.retrieval.fusion import EMPTY, Ranking, blend, fuse_rrf, fuse_zscore, reorder_top, to_ranking
from assistant.retrieval.memo import QueryMemo
from assistant.retrieval.normalize import latex_to_words, learn_acronyms
from assistant.retrieval.reading import Reading, deck_vocabulary, read_query
from assistant.retrieval.rerank import Reranker, passage
from assistant.retrieval.signals import ChunkLayout
from index.bank_fit import BankFit
from index.embedder import Embedder
from index.records import Slide
from index.store import LoadedIndex
from index.text import normalise_text

Method = Literal["dense", "bm25", "bank", "fused"]
METHODS: tuple[Method, ...] = ("dense", "bm25", "bank", "fused")
MAX_QUERY_CHARS = 2000


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
    spelling: bool = True  # query words neither the deck nor the bank uses corrected to near deck words


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
    corrected: str | None = None  # the query as searched, when typos were corrected (``reading.Reading``)
    unknown: tuple[str, ...] = ()  # key terms of the query the deck never mentions

    @property
    def searched(self) -> str:
        """What was searched for: the corrected query, or the query itself."""
        return self.corrected if self.corrected is not None else self.query


@dataclass(frozen=True)
class EncodedQuery:
    """A normalised query with its vector and its similarity to every bank question (``exclude``d ones -inf)."""

    text: str
    vector: np.ndarray
    bank_sims: np.ndarray
    exclude: frozenset[str]


def prepare_query(query: str) -> tuple[str, tuple[str, ...]]:
    """Trim, drop control characters, cap the length. Returns (query, notices)."""
    notices: list[str] = []
    cleaned = normalise_text("".join(ch if ch.isprintable() else " " for ch in query))
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


@dataclass
class Retriever:
    """Holds the loaded index, the bank and its vectors, and the query encoder.

    ``memo`` (query vectors) and ``adapters`` (the trained query adapters, made here when not given)
    are passed on by ``with_settings`` and ``dataclasses.replace``, so variants share them. So is
    ``deck``: what is derived from the index alone, on first use (the deck's topic structure, see
    ``results.topics_of``). ``derived`` is this retriever's own (its abstention threshold depends on
    its weights too). ``cache``: the folder of derived arrays (None: kept in memory only).
    """

    index: LoadedIndex | None
    bank: tuple[Question, ...]
    encoder: Embedder
    settings: Settings = field(default_factory=Settings)
    bank_vectors: np.ndarray | None = None
    reranker: Reranker | None = None  # optional cross-encoder for the top of the fused ranking
    memo: QueryMemo = field(default_factory=QueryMemo, repr=False, compare=False)
    adapters: AdapterBank | None = field(default=None, repr=False, compare=False)
    bank_fit: BankFit | None = None  # the index's verdict on the bank, when it was made for this bank
    cache: Path | None = None
    deck: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.bank_vectors is None:
            texts = [question_context(q) for q in self.bank]
            self.bank_vectors = self.encoder.encode(texts) if texts else np.zeros((0, self.encoder.dim), np.float32)
        self.acronyms = learn_acronyms(self.index.slides) if self.index is not None else {}
        self.vocabulary = deck_vocabulary(self.index, self.bank) if self.index is not None else None
        self._readings: dict[str, Reading] = {}
        self.layout = ChunkLayout.of(self.index) if self.index is not None else None
        if self.layout is None:
            self.adapters = None
        elif self.adapters is None or not self.adapters.serves(self.index, self.bank, self.encoder):
            assert self.index is not None and self.bank_vectors is not None
            self.adapters = AdapterBank(
                self.index, self.bank, self.bank_vectors, self.encoder, self.layout, cache=self.cache
            )
        if self.deck.get("index", self.index) is not self.index:
            self.deck = {}  # a variant over another index derives its own
        self.deck["index"] = self.index
        self.derived: dict[str, object] = {}
        self._dividers = (
            np.array([s.divider for s in self.index.slides], dtype=bool) if self.index is not None else None
        )

    @property
    def n_slides(self) -> int:
        return self.layout.n_slides if self.layout is not None else 0

    def with_settings(self, **changes: object) -> Retriever:
        """The same loaded retriever with other weights; the query memo and the adapters are shared."""
        return dataclasses.replace(self, settings=dataclasses.replace(self.settings, **changes))  # type: ignore[arg-type]

    def embed(self, text: str) -> np.ndarray:
        """Query vector, remembered for the last few hundred queries (the eval asks each many times)."""
        return self.memo.vector(text, self.encoder)

    def adapter_for(self, exclude: Iterable[str] = ()) -> np.ndarray | None:
        """W for a query: trained on every cited question, or, when ``exclude`` names one of them,
        on the other folds only, so an excluded question's references never shaped it."""
        if not self.settings.query_adapter or self.adapters is None:
            return None
        return self.adapters.for_query(exclude)

    # -- signals: each returns one score per slide, shape (n_slides,) ----------------------------

    def dense_scores(self, qvec: np.ndarray) -> np.ndarray:
        """Dense score of every slide for a query vector, shape (n_slides,); -inf where unranked."""
        assert self.index is not None and self.layout is not None
        k = min(self.index.dense.ntotal, self.settings.dense_candidates)
        sims, ids = self.index.dense.search(qvec[None, :].astype(np.float32), k)
        return signals.dense(ids[0], sims[0], self.layout, self.settings.title_weight)

    def lexical_scores(self, text: str) -> np.ndarray:
        """BM25 score of every slide for a normalised query, shape (n_slides,); -inf where unranked."""
        assert self.index is not None and self.layout is not None
        return signals.lexical(self.index.lexical.scores(text), self.layout)

    def bank_similarities(self, qvec: np.ndarray, exclude: frozenset[str] = frozenset()) -> np.ndarray:
        """Cosine to every bank question, shape (n_questions,); excluded questions hold -inf."""
        assert self.bank_vectors is not None
        return signals.bank_similarities(self.bank_vectors, qvec, self.bank, exclude)

    def bank_votes(self, sims: np.ndarray) -> np.ndarray:
        s = self.settings
        return signals.bank_votes(sims, self.bank, self.n_slides, s.bank_min_similarity, s.bank_voters)

    # -- the one path that search and ranking share ---------------------------------------------

    def read(self, query: str) -> Reading:
        """The query prepared, its typos corrected, its unknown terms found, normalised (``reading.read_query``).
        Remembered per text: a search, its weak-match check and its answer read the same query."""
        reading = self._readings.get(query)
        if reading is None:
            if len(self._readings) >= 512:
                self._readings.clear()
            reading = read_query(prepare_query(query)[0], self.acronyms, self.vocabulary, self.settings.spelling)
            self._readings[query] = reading
        return reading

    def normalise(self, query: str) -> str:
        """What is searched for: the query trimmed and capped, typos corrected, LaTeX and acronyms spelled out."""
        return self.read(query).text

    def encode(self, text: str, exclude: frozenset[str] = frozenset()) -> EncodedQuery:
        """A normalised query's vector and bank similarities."""
        vector = self.embed(text)
        return EncodedQuery(text, vector, self.bank_similarities(vector, exclude), exclude)

    def method_ranking(self, query: EncodedQuery, method: Method, section: str | None = None) -> Ranking:
        """The ranking of one method, before the parent context and the reranker."""
        if self.index is None:
            return EMPTY
        if method == "dense":
            return to_ranking(self.dense_scores(query.vector))
        if method == "bm25":
            return to_ranking(self.lexical_scores(query.text))
        if method == "bank":
            return to_ranking(self.bank_votes(query.bank_sims), positive_only=True)
        return self.fused_ranking(query, section)

    def fused_ranking(self, query: EncodedQuery, section: str | None = None) -> Ranking:
        """Every signal, fused; the dense search and the bank match go through the query adapter."""
        s = self.settings
        lexical = self.lexical_scores(query.text)
        qvec, sims = query.vector, query.bank_sims
        w = self.adapter_for(query.exclude)
        if w is not None:
            qvec = apply_adapter(w, qvec)
            sims = self.bank_similarities(qvec, query.exclude)
        dense = self.dense_scores(qvec)
        if s.fusion == "rrf":
            parts = [
                (to_ranking(dense), 1.0),
                (to_ranking(lexical), s.lexical_weight),
                (to_ranking(self.bank_votes(sims), True), s.bank_weight),
            ]
            return to_ranking(fuse_rrf(parts, self.n_slides, s.rrf_k))
        extra: list[tuple[np.ndarray, float]] = []
        if s.bank_weight:
            extra.append((self.bank_votes(sims), s.bank_weight))
        if s.section_weight:
            if section is None:
                section = signals.nearest_section(sims, self.bank, s.section_from_bank)
            extra.append(
                (
                    signals.section_prior(self.bank, section, query.exclude, self.n_slides, s.section_margin),
                    s.section_weight,
                )
            )
        return to_ranking(fuse_zscore(dense, lexical, s.lexical_weight, extra))

    def _ranked(self, query: EncodedQuery, method: Method, section: str | None, context: str | None) -> Ranking:
        ranking = self.method_ranking(query, method, section)
        ranking = self._with_context(ranking, context, method, section, query.exclude)
        return self._after_content(self._rerank(query.text, ranking, method))

    def _with_context(
        self, ranking: Ranking, context: str | None, method: Method, section: str | None, exclude: frozenset[str]
    ) -> Ranking:
        """Fused scores plus ``context_weight`` times the fused scores of ``context`` (a parent question)."""
        weight = self.settings.context_weight
        text = self.normalise(context) if context else ""
        if not text or not weight or method != "fused" or self.settings.fusion != "zscore" or not len(ranking.numbers):
            return ranking
        parent = self.method_ranking(self.encode(text, exclude), method, section)
        return blend(ranking, parent, weight, self.n_slides)

    def _rerank(self, text: str, ranking: Ranking, method: Method) -> Ranking:
        """The fused ranking with its top ``rerank_depth`` slides in the reranker's order; the rest unchanged.

        Only "fused" is reranked (the single-signal rankings stay what they measure). Each slide keeps
        its fused score, so with a reranker the scores of the top need not descend. Ties keep the fused order.
        """
        depth = min(self.settings.rerank_depth, len(ranking.numbers))
        if self.reranker is None or method != "fused" or depth < 2 or self.index is None:
            return ranking
        top = ranking.numbers[:depth]
        scores = np.asarray(
            self.reranker.score(text, [passage(self.index.slide(int(n))) for n in top]), dtype=np.float64
        ).reshape(-1)
        if scores.shape != (depth,):
            raise ValueError(f"the reranker returned {scores.shape[0]} scores for {depth} passages")
        return reorder_top(ranking, scores)

    def _after_content(self, ranking: Ranking) -> Ranking:
        """Divider slides ("Lecture 6") moved behind every content slide, scored no higher than the last."""
        divider = self._dividers[ranking.numbers - 1] if self._dividers is not None and len(ranking.numbers) else None
        if divider is None or not divider.any() or divider.all():
            return ranking
        floor = ranking.scores[~divider].min()
        content, dividers = np.nonzero(~divider)[0], np.nonzero(divider)[0]
        scores = np.concatenate([ranking.scores[content], np.minimum(ranking.scores[dividers], floor)])
        return Ranking(ranking.numbers[np.concatenate([content, dividers])], scores.astype(np.float32))

    # -- the entry points -----------------------------------------------------------------------

    def query_text(self, question: Question) -> str:
        """What the eval searches for a bank question: the same text a user would type."""
        return question.text

    def ranking(
        self,
        query: str,
        method: Method = "fused",
        exclude: Iterable[str] = (),
        section: str | None = None,
        context: str | None = None,
    ) -> Ranking:
        """The full slide ranking of one method: what ``search`` shows the top of."""
        return self._ranked(self.encode(self.normalise(query), frozenset(exclude)), method, section, context)

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
        if not query:
            return Result(query="", slides=(), bank=(), notices=notices + ("empty query",))
        reading = self.read(query)
        encoded = self.encode(reading.text, frozenset(exclude))
        sims = encoded.bank_sims
        order = [i for i in np.argsort(-sims, kind="stable") if np.isfinite(sims[i])][:n_bank]
        bank_hits = tuple(BankHit(self.bank[i], float(sims[i])) for i in order)
        if self.index is None:
            return Result(query, (), bank_hits, notices, reading.corrected, reading.unknown)
        ranking = self._ranked(encoded, method, section, context)
        hits = tuple(
            SlideHit(self.index.slide(int(n)), float(v)) for n, v in zip(ranking.numbers[:k], ranking.scores[:k])
        )
        return Result(query, hits, bank_hits, notices, reading.corrected, reading.unknown)


# -- opening from disk (the I/O edge) ------------------------------------------------------------
