"""Scale of the shared store: N synthetic chunks in PostgreSQL + pgvector, HNSW against exact search.

    python -m benchmarks.pg_scale --database URL --index /work/idx/aml --chunks 100000

Run from the repository root against a scratch database (it writes one generation that is never
made live and removes it at the end). The synthetic corpus repeats the real deck's chunk vectors,
each copy perturbed (benchmarks/scale.py's ``synthesise``: cosine about 0.85 to its source, the hard
case for approximate search) with its words shuffled a little. Queries are the bank's questions,
encoded with the index's own query encoder, searched one at a time through ``DatabaseDense``, as
the app searches.

Printed: ingest rate (COPY of chunks with vectors and text, tsvector generated), HNSW build time,
table and index sizes, then per search mode the p50 / p95 latency, recall@10 against exact, and the
top-10 cosine lost (how much less similar the chunks found are than the exact ten: a near-duplicate
found in place of its twin is a miss for recall but costs almost nothing here).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.scale import recall_at, synthesise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL", help="a scratch database (postgresql://...)")
    parser.add_argument("--index", type=Path, required=True, help="the real deck's index (vectors, query encoder)")
    parser.add_argument("--chunks", type=int, default=100_000, help="synthetic chunks (default: %(default)s)")
    parser.add_argument("--noise", type=float, default=0.03)
    parser.add_argument("--queries", type=int, default=100, help="bank questions to search (default: %(default)s)")
    parser.add_argument(
        "--ef",
        default="40,100,200,1000",
        help="hnsw.ef_search values to measure; the app's dense search asks for 1000 candidates (default: %(default)s)",
    )
    parser.add_argument(
        "--build-memory",
        default="4GB",
        help="maintenance_work_mem for the HNSW build: the graph is built in memory when it fits (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    from psycopg import sql

    from assistant.bank.parse import load_bank
    from assistant.retrieval.loading import open_retriever
    from assistant.retrieval.retriever import question_context
    from index.pg.connect import Pool, connect, redact
    from index.pg.read import DatabaseDense
    from index.pg.schema import ensure_schema, hnsw_index_name
    from index.pg.write import build_hnsw
    from index.store import load_index

    index = load_index(args.index)
    retriever, _ = open_retriever(args.index)
    vectors = index.vectors()
    texts = [c.text for c in index.chunks]
    copies = -(-args.chunks // len(vectors))
    corpus, corpus_texts = synthesise(vectors, texts, copies, args.noise)
    corpus, corpus_texts = corpus[: args.chunks], corpus_texts[: args.chunks]
    bank = [q for q in load_bank(None) if q.text.strip()][: args.queries]
    queries = retriever.encoder.encode([question_context(q) for q in bank]).astype(np.float32)
    print(f"{redact(args.database)}: {len(corpus)} chunks, dim {corpus.shape[1]}, {len(queries)} queries")

    conn = connect(args.database)
    ensure_schema(conn)
    generation = conn.execute(
        "INSERT INTO slidebank_generations (manifest) VALUES (%s) RETURNING id",
        (json.dumps({"benchmark": "pg_scale"}),),
    ).fetchone()[0]
    try:
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(
                "COPY slidebank_chunks (generation, position, slide, kind, text, hash, embedding) FROM STDIN"
            ) as copy:
                for i in range(len(corpus)):
                    copy.write_row((generation, i, 1 + i // 2, "text", corpus_texts[i], "", corpus[i]))
        copy_s = time.perf_counter() - started
        started = time.perf_counter()
        with conn.transaction():
            build_hnsw(conn, generation, corpus.shape[1], args.build_memory)
        hnsw_s = time.perf_counter() - started
        conn.execute("ANALYZE slidebank_chunks")
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('slidebank_chunks')),"
            " pg_size_pretty(pg_relation_size(%s::regclass))",
            (hnsw_index_name(generation),),
        ).fetchone()
        print(
            f"ingest: COPY {copy_s:.1f} s ({len(corpus) / copy_s:.0f} chunks/s), HNSW build {hnsw_s:.1f} s "
            f"({len(corpus) / (copy_s + hnsw_s):.0f} chunks/s in all); table with indexes {sizes[0]}, HNSW {sizes[1]}"
        )
        pool = Pool(args.database)
        exact = DatabaseDense(pool, generation, corpus.shape[1], len(corpus), exact_limit=10**9, in_process=False)
        truth, truth_sims, exact_times = search_all(exact, queries)
        print()
        print("| search | p50 ms | p95 ms | recall@10 vs exact | top-10 cosine lost |")
        print("| --- | ---: | ---: | ---: | ---: |")
        print(
            f"| exact (sequential scan) | {pct(exact_times, 0.5):.1f} | {pct(exact_times, 0.95):.1f} | 1.000 | 0.0000 |"
        )
        for ef in (int(x) for x in args.ef.split(",")):
            hnsw = DatabaseDense(pool, generation, corpus.shape[1], len(corpus), exact_limit=0, ef_search=ef)
            found, sims, times = search_all(hnsw, queries)
            print(
                f"| HNSW ef_search={ef} | {pct(times, 0.5):.1f} | {pct(times, 0.95):.1f} | {recall_at(found, truth):.3f}"
                f" | {similarity_lost(sims, truth_sims):.4f} |"
            )
        pool.close()
    finally:
        with conn.transaction():
            conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(hnsw_index_name(generation))))
            conn.execute("DELETE FROM slidebank_generations WHERE id = %s", (generation,))
        conn.close()
    return 0


def search_all(dense, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Ids and cosine similarities of the top ``k`` per query, and each search's seconds."""
    found, sims, times = [], [], []
    dense.search(queries[:1], k)  # warm the connection and the plan
    for q in queries:
        started = time.perf_counter()
        scores, ids = dense.search(q[None, :], k)
        times.append(time.perf_counter() - started)
        found.append(ids[0])
        sims.append(scores[0])
    return np.array(found), np.array(sims), times


def similarity_lost(sims: np.ndarray, truth: np.ndarray) -> float:
    """How much less similar, on average, the chunks found are than the exact top ``k`` (cosine).
    Recall counts a near-duplicate found in place of its twin as a miss; this says what it cost."""
    return float(np.mean(truth.mean(axis=1) - sims.mean(axis=1)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


if __name__ == "__main__":
    sys.exit(main())
