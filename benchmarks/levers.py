"""Retrieval levers that were measured and not adopted, each against the default fused ranking.

    python -m benchmarks.levers               # the cheap levers, about a minute
    python -m benchmarks.levers --finetune    # also fine-tune the embedder on the deck (minutes on CPU)

Run from the repository root (``benchmarks`` is a folder of the checkout, not installed); slidebank
itself is imported from the installed package, as a user has it.

Every row is scored like ``python -m assistant.eval``: the 113 bank questions that cite slides,
leave-one-out, as clicked (section and parent known) and as typed, plus the free-form questions.
A lever is a small subclass of ``Retriever`` that changes one thing (``method_ranking`` or
``ranking``, its public steps), so the rest of the pipeline is the one users get. Nothing here is
fitted to a question it scores; the fine-tune sees only the slides.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.evaluation.retrieval import Scores, bank_queries, format_table, free_form_queries, ranks, summarise
from assistant.retrieval.fusion import Ranking, from_ranking, to_ranking, zscore
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.retriever import EncodedQuery, Method, Retriever, question_context
from assistant.retrieval.signals import best_per_slide
from index.settings import resolve_settings

# Exam-style instruction words: they say what to do with the topic, not what the topic is.
IMPERATIVES = re.compile(
    r"\b(please|explain|describe|formulate|write( down)?|give|list|survey|summari[sz]e|define|state|discuss|in detail|briefly)\b",
    re.I,
)


def _clone(retriever: Retriever, cls: type[Retriever], **extra: object) -> Retriever:
    """``retriever`` as a ``cls``, sharing its query memo and trained adapters (every field is passed on)."""
    fields = {f.name: getattr(retriever, f.name) for f in dataclasses.fields(retriever)}
    out = cls(**fields)
    for name, value in extra.items():
        setattr(out, name, value)
    return out


def slide_vectors(retriever: Retriever) -> np.ndarray:
    """One unit vector per slide, shape (n_slides, dim): the adapter's training targets."""
    assert retriever.adapters is not None
    return retriever.adapters.slide_vectors()


class FusedLever(Retriever):
    """Changes the fused ranking only; the single-signal rankings stay what they measure."""

    def method_ranking(self, query: EncodedQuery, method: Method, section: str | None = None) -> Ranking:
        ranking = super().method_ranking(query, method, section)
        return self.adjust(ranking, query, section) if method == "fused" else ranking

    def adjust(self, ranking: Ranking, query: EncodedQuery, section: str | None) -> Ranking:
        raise NotImplementedError

    def scores_of(self, ranking: Ranking) -> np.ndarray:
        return from_ranking(ranking, self.n_slides, float(ranking.scores.min()) if len(ranking.scores) else 0.0)


class LineChunks(FusedLever):
    """Adds the best single line of each slide (title + one bullet), z-scored, at weight ``line_weight``."""

    line_vectors: np.ndarray
    line_owner: np.ndarray
    line_weight: float = 0.2

    def adjust(self, ranking: Ranking, query: EncodedQuery, section: str | None) -> Ranking:
        lines = best_per_slide((self.line_vectors @ query.vector).astype(np.float64), self.line_owner, self.n_slides)
        return to_ranking(self.scores_of(ranking) + self.line_weight * zscore(lines))


def line_chunks(retriever: Retriever) -> Retriever:
    assert retriever.index is not None
    texts: list[str] = []
    owners: list[int] = []
    for slide in retriever.index.slides:
        for line in slide.text.split("\n")[1:]:
            if len(line.strip()) >= 12:
                texts.append(f"{slide.title}\n{line.strip()}" if slide.title else line.strip())
                owners.append(slide.number)
    return _clone(retriever, LineChunks, line_vectors=retriever.encoder.encode(texts), line_owner=np.array(owners))


class Neighbours(FusedLever):
    """Each slide also gets ``neighbour_weight`` times the fused scores of the slides before and after it."""

    neighbour_weight: float = 0.1

    def adjust(self, ranking: Ranking, query: EncodedQuery, section: str | None) -> Ranking:
        s = self.scores_of(ranking)
        w = self.neighbour_weight
        return to_ranking(s + w * np.r_[s[0], s[:-1]] + w * np.r_[s[1:], s[-1]])


class PseudoFeedback(FusedLever):
    """Rocchio: search again with the query vector moved towards the top 3 slides of the first search."""

    slide_vecs: np.ndarray
    feedback: float = 0.3

    def adjust(self, ranking: Ranking, query: EncodedQuery, section: str | None) -> Ranking:
        moved = query.vector + self.feedback * self.slide_vecs[ranking.numbers[:3] - 1].mean(axis=0)
        again = dataclasses.replace(query, vector=(moved / np.linalg.norm(moved)).astype(np.float32))
        return Retriever.method_ranking(self, again, "fused", section)


class StripImperatives(Retriever):
    """Drops exam instruction words ("formulate", "explain") before searching."""

    def ranking(self, query, method="fused", exclude=(), section=None, context=None):  # type: ignore[no-untyped-def]
        stripped = " ".join(IMPERATIVES.sub(" ", query).split()) or query
        return super().ranking(stripped, method, exclude, section, context)


def finetuned(retriever: Retriever, epochs: float = 1.0) -> Retriever:
    """MiniLM fine-tuned on (slide title or bullet -> rest of that slide) pairs, in-batch negatives."""
    import faiss
    import torch
    from sentence_transformers import SentenceTransformer

    from index.embedder import DEFAULT_MODEL, resolve_model

    assert retriever.index is not None
    rng = np.random.default_rng(0)
    pairs: list[tuple[str, str]] = []
    for slide in retriever.index.slides:
        if slide.title and len(slide.title) > 3:
            pairs.append((slide.title, slide.text[:1000]))
        lines = [ln.strip() for ln in slide.text.split("\n")[1:] if 25 <= len(ln.strip()) <= 300]
        for line in lines[:8]:
            pairs.append((line, "\n".join(x for x in slide.text.split("\n") if x.strip() != line)[:1000]))
    torch.manual_seed(0)
    model = SentenceTransformer(resolve_model(DEFAULT_MODEL), device="cpu")
    model.max_seq_length = 128
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-5)
    batch = 32
    steps = int(len(pairs) * epochs) // batch
    order = np.concatenate([rng.permutation(len(pairs)) for _ in range(int(np.ceil(epochs)) + 1)])
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda i: min(1.0, (i + 1) / max(1, steps * 0.1)) * max(0.0, (steps - i) / steps)
    )
    model.train()
    for step in range(steps):
        chosen = order[step * batch : (step + 1) * batch]
        a, p = ([pairs[i][k] for i in chosen] for k in (0, 1))
        za = torch.nn.functional.normalize(model(model.tokenize(a))["sentence_embedding"], dim=-1)
        zp = torch.nn.functional.normalize(model(model.tokenize(p))["sentence_embedding"], dim=-1)
        loss = torch.nn.functional.cross_entropy(20.0 * za @ zp.T, torch.arange(len(chosen)))
        loss.backward()
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
    model.eval()
    model.max_seq_length = 256

    class Encoder:
        name, dim = "deck-tuned", retriever.encoder.dim

        def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
            return model.encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True).astype(
                np.float32
            )

    encoder = Encoder()
    vectors = encoder.encode([c.text for c in retriever.index.chunks])
    dense = faiss.IndexFlatIP(vectors.shape[1])
    dense.add(vectors)
    index = dataclasses.replace(retriever.index, dense=dense)
    return Retriever(
        index,
        retriever.bank,
        encoder,
        retriever.settings,
        encoder.encode([question_context(q) for q in retriever.bank]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: data/index)")
    parser.add_argument(
        "--finetune", action="store_true", help="also fine-tune the embedder on the deck (1 epoch; minutes on CPU)"
    )
    args = parser.parse_args(argv)
    user = resolve_settings(os.environ, index=args.index)
    retriever, _ = open_retriever(encoder="sentence-transformers", user=user)
    if retriever.index is None:
        print("error: no index; run python -m ingest first", file=sys.stderr)
        return 2
    groups = {
        "clicked": bank_queries(retriever),
        "typed": bank_queries(retriever, with_section=False),
        "free-form": free_form_queries(),
    }
    rows: list[Scores] = []

    def add(name: str, make: Callable[[], Retriever] | None = None, **change: object) -> None:
        started = time.perf_counter()
        variant = make() if make else retriever.with_settings(**change)
        for group, queries in groups.items():
            if name.startswith("parent pasted") and group == "clicked":
                queries = [
                    dataclasses.replace(q, text=f"{q.context} {q.text}", context=None) if q.context else q
                    for q in queries
                ]
            rows.append(summarise(f"{name}: {group}", ranks(variant, queries)))
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)

    add("default")
    add("parent pasted into the query", context_weight=0.0)
    add("best line per slide (+0.2 z)", lambda: line_chunks(retriever))
    add("neighbour smoothing (0.1)", lambda: _clone(retriever, Neighbours))
    add("pseudo-relevance feedback", lambda: _clone(retriever, PseudoFeedback, slide_vecs=slide_vectors(retriever)))
    add("exam verbs stripped", lambda: _clone(retriever, StripImperatives))
    if args.finetune:
        started = time.perf_counter()
        tuned = finetuned(retriever)
        print(f"  fine-tune and re-embed: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        add("embedder fine-tuned on the deck", lambda: tuned)
    print(format_table("Levers measured and not adopted (python -m benchmarks.levers)", rows, width=44))
    return 0


if __name__ == "__main__":
    sys.exit(main())
