"""``python -m assistant.evaluation.parity --index DIR --database URL``: does the shared store rank as the local index?

Both retrievers answer every eval question (the bank's, clicked and typed, leave-one-out, and the
free-form set) through ``Retriever.ranking``. A row counts the questions whose top five slides are
the same, in the same order, and sets hit@k and MRR of the two side by side. ``--lexical fts``
swaps the BM25 index rebuilt from the stored texts for PostgreSQL's own full-text ranking
(``ts_rank_cd``), the measurement behind the choice in docs/deployment.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from assistant.evaluation.retrieval import (
    FREE_FORM,
    KS,
    Query,
    Scores,
    bank_queries,
    first_hit_rank,
    free_form_queries,
    summarise,
)
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.retriever import Retriever
from index.errors import SlidebankError
from index.terminal import safe

TOP = 5


@dataclass(frozen=True)
class ParityRow:
    name: str
    queries: int
    same_top: float  # share of questions with the same top five, in order
    local: Scores
    shared: Scores

    @property
    def worst_hit_gap(self) -> float:
        return max(abs(self.local.hit[k] - self.shared.hit[k]) for k in KS)


def _tops(retriever: Retriever, queries: Sequence[Query]) -> list[tuple[int, ...]]:
    out = []
    for q in queries:
        ranking = retriever.ranking(
            q.text, "fused", exclude=(q.leave_out,) if q.leave_out else (), section=q.section, context=q.context
        )
        out.append(tuple(ranking.numbers[:100].tolist()))
    return out


def parity_row(name: str, local: Retriever, shared: Retriever, queries: Sequence[Query]) -> ParityRow:
    a, b = _tops(local, queries), _tops(shared, queries)
    same = sum(1 for x, y in zip(a, b) if x[:TOP] == y[:TOP]) / max(len(queries), 1)

    def scores(tops: list[tuple[int, ...]]) -> Scores:
        return summarise(name, [first_hit_rank(t, q.relevant) for t, q in zip(tops, queries)])

    return ParityRow(name, len(queries), same, scores(a), scores(b))


def parity(local: Retriever, shared: Retriever, free_form: Path = FREE_FORM) -> list[ParityRow]:
    local, shared = local.with_settings(rerank_depth=0), shared.with_settings(rerank_depth=0)
    groups = [
        ("bank, clicked", bank_queries(local, with_section=True)),
        ("bank, typed", bank_queries(local, with_section=False)),
        ("free-form", free_form_queries(free_form) if free_form.is_file() else []),
    ]
    return [parity_row(name, local, shared, qs) for name, qs in groups if qs]


def format_parity(rows: Sequence[ParityRow]) -> str:
    head = f"{'':<14} {'n':>4} {'same top 5':>10} " + " ".join(f"{'hit@' + str(k):>13}" for k in KS) + f" {'MRR':>13}"
    lines = ["Parity: local index | database (hit@k and MRR as local | database)", head, "-" * len(head)]
    for r in rows:
        cells = " ".join(f"{r.local.hit[k]:>6.3f}|{r.shared.hit[k]:<6.3f}" for k in KS)
        lines.append(
            f"{r.name:<14} {r.queries:>4} {r.same_top:>10.3f} {cells} {r.local.mrr:>6.3f}|{r.shared.mrr:<6.3f}"
        )
    return "\n".join(lines)


def with_full_text(retriever: Retriever) -> Retriever:
    """The same retriever with PostgreSQL's full-text ranking as its lexical half."""
    from index.pg.read import DatabaseFullText, DatabaseIndex

    index = retriever.index
    if not isinstance(index, DatabaseIndex):
        raise SlidebankError("--lexical fts needs --database")
    fts = DatabaseFullText(index.pool, index.generation, len(index.chunks))
    return replace(retriever, index=replace(index, lexical=fts), adapters=None)


def main(argv: list[str] | None = None, prog: str = "python -m assistant.evaluation.parity") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--index", required=True, help="the local index folder")
    parser.add_argument("--database", required=True, metavar="URL", help="the database holding the same deck")
    parser.add_argument("--bank", default=None, help="bank for the local index (default: data/question_bank.md)")
    parser.add_argument("--lexical", choices=("bm25", "fts"), default="bm25")
    parser.add_argument("--free-form", type=Path, default=FREE_FORM, metavar="TSV", help="free-form questions")
    args = parser.parse_args(argv)
    try:
        local, _ = open_retriever(Path(args.index), args.bank)
        shared, _ = open_retriever(None, None, database=args.database)
        if args.lexical == "fts":
            shared = with_full_text(shared)
        started = time.perf_counter()
        rows = parity(local, shared, args.free_form)
    except SlidebankError as exc:
        print(f"error: {safe(exc)}", file=sys.stderr)
        return 2
    print(format_parity(rows))
    print(f"\n(lexical: {args.lexical}; {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
