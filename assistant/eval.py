"""``python -m assistant.eval``: how often retrieval finds the slides the bank cites.

Every bank question that cites slides is a labelled query. It is searched with its own entry
excluded from the bank (leave-one-out), and a hit at k means one of its cited slides is in the
top k. MRR uses the rank of the first cited slide found (0 when none is ranked).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

from assistant.bank import Question
from assistant.retrieve import METHODS, Method, Retriever, open_retriever
from index.errors import SlidebankError
from index.store import load_index

KS = (1, 3, 5, 10)


@dataclass(frozen=True)
class Scores:
    method: str
    queries: int
    hit: dict[int, float]
    mrr: float


def first_hit_rank(ranked: Sequence[int], relevant: Sequence[int]) -> int | None:
    wanted = set(relevant)
    for rank, number in enumerate(ranked, start=1):
        if number in wanted:
            return rank
    return None


def summarise(method: str, ranks: Sequence[int | None]) -> Scores:
    n = len(ranks)
    hit = {k: sum(1 for r in ranks if r is not None and r <= k) / n if n else 0.0 for k in KS}
    mrr = sum(1.0 / r for r in ranks if r is not None) / n if n else 0.0
    return Scores(method, n, hit, mrr)


def labelled(bank: Sequence[Question]) -> list[Question]:
    return [q for q in bank if q.refs]


def evaluate(retriever: Retriever, queries: Sequence[tuple[str, Sequence[int], str | None]], methods: Sequence[Method] = METHODS) -> list[Scores]:
    """``queries``: (text, relevant slides, bank id to leave out). One Scores per method."""
    ranks: dict[str, list[int | None]] = {m: [] for m in methods}
    for text, relevant, leave_out in queries:
        for method in methods:
            ranking = retriever.ranking(text, method, exclude=(leave_out,) if leave_out else ())
            ranks[method].append(first_hit_rank(ranking.numbers.tolist(), relevant))
    return [summarise(m, ranks[m]) for m in methods]


def bank_queries(retriever: Retriever) -> list[tuple[str, Sequence[int], str | None]]:
    return [(retriever.query_text(q), q.refs, q.id) for q in labelled(retriever.bank)]


def format_table(title: str, rows: Sequence[Scores]) -> str:
    head = f"{title}\n{'method':<8} {'n':>4} " + " ".join(f"{'hit@' + str(k):>7}" for k in KS) + f" {'MRR':>7}"
    lines = [head, "-" * len(head.splitlines()[-1])]
    for s in rows:
        lines.append(f"{s.method:<8} {s.queries:>4} " + " ".join(f"{s.hit[k]:>7.3f}" for k in KS) + f" {s.mrr:>7.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.eval",
        description="Score retrieval against the slides the question bank cites (leave-one-out).",
    )
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: $SLIDEBANK_INDEX or data/index)")
    parser.add_argument("--bank", type=Path, default=None, help="question bank markdown (default: data/question_bank.md)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    try:
        load_index(args.index)  # fail fast, before loading a model, when there is nothing to score
        retriever, notices = open_retriever(args.index, args.bank)
        if retriever.index is None:
            raise SlidebankError(notices[0].split(";")[0] + "; the eval needs slides: python -m ingest path/to/slides.pdf")
        for notice in notices:
            print(f"note: {notice}", file=sys.stderr)
        started = time.perf_counter()
        queries = bank_queries(retriever)
        rows = evaluate(retriever, queries)
        seconds = time.perf_counter() - started
    except SlidebankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"bank": [asdict(r) for r in rows]}))
    else:
        print(format_table(f"Bank questions citing slides (leave-one-out), {len(queries)} queries", rows))
        print(f"({seconds:.1f} s for {len(queries)} queries x {len(METHODS)} methods)")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the output quietly
    sys.exit(main())
