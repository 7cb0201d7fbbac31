"""Scale simulation: 100 decks (~40,000 slides) built in memory from the real one, FAISS choices compared.

    python -m benchmarks.scale                 # uses the live index (data/index or $SLIDEBANK_INDEX)
    python -m benchmarks.scale --copies 100 --index /tmp/ix

Run from the repository root (``benchmarks`` is a folder of the checkout, not installed); slidebank
itself is imported from the installed package, as a user has it.

Nothing is written to disk. The synthetic corpus repeats the real deck's chunks ``--copies`` times;
each copy perturbs every chunk vector (Gaussian noise, then renormalised: cosine ≈ 0.85 to its
source, so copies are near neighbours but not duplicates, the hard case for approximate search)
and shuffles a few words of each text (so BM25 sees a bigger, not identical, vocabulary).
Queries are the bank questions, encoded with the index's own query encoder.

Printed: build time, size and warm p50 latency of flat, IVF and HNSW indexes with recall@10 against
flat (exact), BM25 build and scoring time at that size, and an ingest-time estimate from
per-page rates measured here on the real deck.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from assistant.bank.parse import load_bank
from assistant.retrieval.retriever import question_context
from index.settings import resolve_settings
from index.store import load_index

DECK = Path(__file__).resolve().parents[2] / "shared" / "slides" / "aml-slides.pdf"


def synthesise(
    vectors: np.ndarray, texts: list[str], copies: int, noise: float, seed: int = 0
) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    out = np.empty((len(vectors) * copies, vectors.shape[1]), dtype=np.float32)
    all_texts: list[str] = []
    for c in range(copies):
        block = vectors + rng.normal(0.0, noise, size=vectors.shape).astype(np.float32)
        out[c * len(vectors) : (c + 1) * len(vectors)] = block / np.linalg.norm(block, axis=1, keepdims=True)
        for text in texts:
            words = text.split()
            if len(words) > 3:
                i, j = rng.integers(0, len(words), size=2)
                words[i], words[j] = words[j], words[i]
            all_texts.append(f"deck{c:03d} " + " ".join(words))
    return out, all_texts


def p50_ms(search, queries: np.ndarray) -> float:
    times = []
    for q in queries:
        started = time.perf_counter()
        search(q[None, :])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def recall_at(found: np.ndarray, truth: np.ndarray, k: int = 10) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def compare_faiss(corpus: np.ndarray, queries: np.ndarray, k: int = 10) -> list[tuple[str, float, float, float, float]]:
    """(name, build s, size MB, p50 ms, recall@k vs flat) per index."""
    import faiss

    faiss.omp_set_num_threads(1)  # one query at a time, as the CLI and the app search
    n, dim = corpus.shape
    rows = []
    started = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(corpus)
    flat_build = time.perf_counter() - started
    _, truth = flat.search(queries, k)
    rows.append(
        (
            "flat (exact)",
            flat_build,
            len(faiss.serialize_index(flat)) / 1e6,
            p50_ms(lambda q: flat.search(q, k), queries),
            1.0,
        )
    )

    nlist = int(4 * np.sqrt(n))
    started = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(corpus)
    ivf.add(corpus)
    ivf_build = time.perf_counter() - started
    size = len(faiss.serialize_index(ivf)) / 1e6
    for nprobe in (8, 32):
        ivf.nprobe = nprobe
        _, found = ivf.search(queries, k)
        rows.append(
            (
                f"IVF{nlist},Flat nprobe={nprobe}",
                ivf_build,
                size,
                p50_ms(lambda q: ivf.search(q, k), queries),
                recall_at(found, truth, k),
            )
        )

    started = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 80
    hnsw.add(corpus)
    hnsw_build = time.perf_counter() - started
    size = len(faiss.serialize_index(hnsw)) / 1e6
    for ef in (64, 128):
        hnsw.hnsw.efSearch = ef
        _, found = hnsw.search(queries, k)
        rows.append(
            (
                f"HNSW32 efSearch={ef}",
                hnsw_build,
                size,
                p50_ms(lambda q: hnsw.search(q, k), queries),
                recall_at(found, truth, k),
            )
        )
    return rows


def ingest_rates(deck: Path, encoder, texts: list[str], pages: int = 40) -> dict[str, float]:
    """Seconds per page (text, thumbnail) and per chunk (embedding), measured on the real deck."""
    import tempfile

    from ingest.pdf import read_pages
    from ingest.thumbnails import render_pages, save_png

    rates: dict[str, float] = {}
    started = time.perf_counter()
    for i, _ in enumerate(read_pages(deck)):
        if i + 1 >= pages:
            break
    rates["text"] = (time.perf_counter() - started) / pages
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, image in enumerate(render_pages(deck)):
            if image is not None:
                save_png(image, Path(tmp) / f"{i}.png")
            if i + 1 >= pages:
                break
    rates["thumbnail"] = (time.perf_counter() - started) / pages
    sample = texts[:64]
    started = time.perf_counter()
    encoder.encode(sample)
    rates["embedding"] = (time.perf_counter() - started) / len(sample)
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Simulate ~100 decks from the real one and compare FAISS indexes at that size."
    )
    parser.add_argument(
        "--index", type=Path, default=None, help="index of the real deck (default: data/index or $SLIDEBANK_INDEX)"
    )
    parser.add_argument("--copies", type=int, default=100, help="decks to simulate (default: %(default)s)")
    parser.add_argument(
        "--noise",
        type=float,
        default=0.03,
        help="per-dimension noise added to each copy's vectors (default: %(default)s)",
    )
    parser.add_argument("--deck", type=Path, default=DECK, help="the real PDF, for the per-page ingest rates")
    args = parser.parse_args(argv)

    from assistant.retrieval.loading import open_retriever
    from index.errors import SlidebankError
    from index.lexical import LexicalIndex

    try:
        user = resolve_settings(os.environ, index=args.index)
        index = load_index(user.index)
        retriever, _ = open_retriever(user=user)
    except SlidebankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    vectors = index.vectors()
    texts = [c.text for c in index.chunks]
    bank = load_bank(None)
    queries = retriever.encoder.encode([question_context(q) for q in bank])

    corpus, corpus_texts = synthesise(vectors, texts, args.copies, args.noise)
    slides = len(index.slides) * args.copies
    print(
        f"synthetic corpus: {args.copies} decks, {slides} slides, {len(corpus)} chunks, dim {corpus.shape[1]}; {len(queries)} bank questions as queries"
    )
    print(
        f"mean cosine of a perturbed vector to its source: {float(np.mean(np.sum(corpus[: len(vectors)] * vectors, axis=1))):.3f}"
    )
    print()
    print("| dense index | build s | size MB | p50 ms | recall@10 vs flat |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, build, size, p50, recall in compare_faiss(corpus, queries):
        print(f"| {name} | {build:.2f} | {size:.1f} | {p50:.2f} | {recall:.3f} |")

    started = time.perf_counter()
    lexical = LexicalIndex.build(corpus_texts)
    bm25_build = time.perf_counter() - started
    bm25_times = []
    for q in bank:
        started = time.perf_counter()
        lexical.scores(question_context(q))
        bm25_times.append(time.perf_counter() - started)
    print()
    print(
        f"BM25 at this size: build {bm25_build:.1f} s, scoring p50 {statistics.median(bm25_times) * 1000:.1f} ms per query"
    )

    if args.deck.is_file():
        rates = ingest_rates(args.deck, retriever.encoder, texts)
        estimate = rates["text"] * slides + rates["thumbnail"] * slides + rates["embedding"] * len(corpus) + bm25_build
        print(
            f"ingest estimate for {slides} slides, one process: {estimate / 60:.1f} min "
            f"(text {rates['text'] * 1000:.1f} ms/page, thumbnail {rates['thumbnail'] * 1000:.1f} ms/page, "
            f"embedding {rates['embedding'] * 1000:.1f} ms/chunk with {type(retriever.encoder).__name__}, plus BM25 build)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
