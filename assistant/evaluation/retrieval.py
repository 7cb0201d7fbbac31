"""``python -m assistant.eval``: how often retrieval finds the slides the bank cites.

Every bank question that cites slides is a labelled query, searched through ``Retriever.ranking``
(the same code ``search`` uses) with its own entry excluded from the bank (leave-one-out). Two
ways of asking are scored:

- "bank": the question as clicked in the bank browser, so its section (and, for a sub-question,
  the question it is nested under) is known;
- "typed": the same words typed into the search box, with no section.

With ``--reranker`` every table scores the fused ranking itself, and one more table sets it beside
the fused ranking with its top re-ordered by the cross-encoder ("fused + reranker").

A hit at k means one of the cited slides is in the top k; MRR uses the rank of the first cited
slide found (0 when none is ranked). ``assistant/evaluation/data/free_form.tsv`` adds questions in a student's
own words, with the slides that answer them, written by reading the slides.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

from assistant.bank.parse import Question
from assistant.cli import (
    RERANKER_HELP,
    add_bank_option,
    add_database_option,
    add_index_option,
    add_json_option,
    command,
    fail,
    settings_from,
)
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.retriever import METHODS, Method, Retriever, parent_text
from index.errors import SlidebankError
from index.store import load_index
from index.terminal import safe

KS = (1, 3, 5, 10)
FOLDS = 5
# The fusion weights the cross-validated row may pick from, on the folds it does not score.
# It holds the defaults, which win ties, so a fold only moves away from them when that pays.
WEIGHT_GRID: dict[str, tuple[float, ...]] = {
    "lexical_weight": (0.5, 0.7, 1.0),
    "title_weight": (0.0, 0.15, 0.3),
    "section_weight": (0.5, 1.0, 1.5),
}
FREE_FORM = Path(__file__).resolve().parent / "data" / "free_form.tsv"

# Each row removes one signal from the default settings: what that lever is worth.
ABLATIONS: tuple[tuple[str, dict[str, object]], ...] = (
    ("default", {}),
    ("no titles (dense)", {"title_weight": 0.0}),
    ("no BM25", {"lexical_weight": 0.0}),
    ("no bank votes", {"bank_weight": 0.0}),
    ("no section prior", {"section_weight": 0.0}),
    ("no section from bank match", {"section_from_bank": 0.0}),
    ("no parent context", {"context_weight": 0.0}),
    ("no query adapter", {"query_adapter": False}),
    ("RRF instead of z-score", {"fusion": "rrf"}),
)


@dataclass(frozen=True)
class Query:
    text: str
    relevant: tuple[int, ...]
    leave_out: str | None = None  # bank id hidden from the retriever while this query is scored
    section: str | None = None
    group: str = ""  # for the per-section breakdown
    context: str | None = None  # the parent question's text, for a clicked sub-question


@dataclass(frozen=True)
class Scores:
    name: str
    queries: int
    hit: dict[int, float]
    mrr: float


def first_hit_rank(ranked: Sequence[int], relevant: Sequence[int]) -> int | None:
    wanted = set(relevant)
    for rank, number in enumerate(ranked, start=1):
        if number in wanted:
            return rank
    return None


def summarise(name: str, ranks: Sequence[int | None]) -> Scores:
    n = len(ranks)
    hit = {k: sum(1 for r in ranks if r is not None and r <= k) / n if n else 0.0 for k in KS}
    mrr = sum(1.0 / r for r in ranks if r is not None) / n if n else 0.0
    return Scores(name, n, hit, mrr)


def labelled(bank: Sequence[Question]) -> list[Question]:
    return [q for q in bank if q.refs]


def bank_queries(retriever: Retriever, with_section: bool = True) -> list[Query]:
    """Clicked (``with_section``): section and parent known, as in the bank browser. Typed: words only."""
    bank = retriever.bank
    return [
        Query(retriever.query_text(q), q.refs, q.id, q.section, q.section, parent_text(bank, q))
        if with_section
        else Query(retriever.query_text(q), q.refs, q.id, None, q.section)
        for q in labelled(bank)
    ]


def free_form_queries(path: Path = FREE_FORM) -> list[Query]:
    """``slides<TAB>question`` per line; slides like ``196`` or ``63-65`` or ``164,171``."""
    from assistant.bank.parse import parse_refs

    out: list[Query] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            refs, text = line.split("\t", 1)
            parsed = parse_refs(refs)
            if parsed:
                out.append(Query(text.strip(), parsed, group="free-form"))
    return out


def ranks(retriever: Retriever, queries: Sequence[Query], method: Method = "fused") -> list[int | None]:
    out: list[int | None] = []
    for q in queries:
        ranking = retriever.ranking(
            q.text, method, exclude=(q.leave_out,) if q.leave_out else (), section=q.section, context=q.context
        )
        out.append(first_hit_rank(ranking.numbers[:100].tolist(), q.relevant))
    return out


def cross_validated(
    retriever: Retriever, queries: Sequence[Query], folds: int = FOLDS
) -> tuple[Scores, list[dict[str, float]]]:
    """Fused scores with the weights picked on the other folds only.

    Question ``i`` falls in fold ``i % folds``. For each fold, the ``WEIGHT_GRID`` point with the
    best MRR on the other folds ranks this fold's questions. The default weights were chosen on the
    whole bank; this row shows what that choice is worth on questions it never saw.
    Returns the scores and the weights each fold used.
    """
    keys = list(WEIGHT_GRID)
    points = [dict(zip(keys, values)) for values in itertools.product(*WEIGHT_GRID.values())]
    default = {k: getattr(retriever.settings, k) for k in keys}
    table = [ranks(retriever.with_settings(**point), queries) for point in points]  # (points, queries)

    def mrr(point: int, members: Sequence[int]) -> float:
        return sum(1.0 / r for r in (table[point][i] for i in members) if r is not None)

    out: list[int | None] = [None] * len(queries)
    chosen: list[dict[str, float]] = []
    for fold in range(folds):
        train = [i for i in range(len(queries)) if i % folds != fold]
        best = max(range(len(points)), key=lambda p: (round(mrr(p, train), 9), points[p] == default))
        chosen.append(points[best])
        for i in range(fold, len(queries), folds):
            out[i] = table[best][i]
    return summarise(f"fused, {folds}-fold weights", out), chosen


def latency_ms(retriever: Retriever, queries: Sequence[Query]) -> float:
    """Median warm time of one fused ranking, in-process, with the query encoded each time (ms)."""
    times: list[float] = []
    for q in queries:
        retriever.memo.clear()  # every timed query pays for its encoding, as a new question does
        started = time.perf_counter()
        retriever.ranking(
            q.text, "fused", exclude=(q.leave_out,) if q.leave_out else (), section=q.section, context=q.context
        )
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times) if times else 0.0


def evaluate(retriever: Retriever, queries: Sequence[Query], methods: Sequence[Method] = METHODS) -> list[Scores]:
    """One Scores per method over ``queries``."""
    return [summarise(m, ranks(retriever, queries, m)) for m in methods]


def format_table(title: str, rows: Sequence[Scores], width: int = 24) -> str:
    head = f"{'':<{width}} {'n':>4} " + " ".join(f"{'hit@' + str(k):>7}" for k in KS) + f" {'MRR':>7}"
    lines = [title, head, "-" * len(head)]
    for s in rows:
        lines.append(
            f"{s.name:<{width}} {s.queries:>4} " + " ".join(f"{s.hit[k]:>7.3f}" for k in KS) + f" {s.mrr:>7.3f}"
        )
    return "\n".join(lines)


def reranker_rows(
    plain: Retriever, reranked: Retriever, groups: Sequence[tuple[str, Sequence[Query]]]
) -> tuple[list[Scores], float]:
    """Fused next to fused + reranker for each (label, queries) group, and the ms the reranker adds per query.

    The earlier tables have already encoded these queries (the memo is shared), so the difference
    in time between the two rankings is the reranker's own cost.
    """
    rows: list[Scores] = []
    added, n = 0.0, 0
    for label, queries in groups:
        if queries:
            started = time.perf_counter()
            rows.append(summarise(f"{label}fused", ranks(plain, queries)))
            middle = time.perf_counter()
            rows.append(summarise(f"{label}fused + reranker", ranks(reranked, queries)))
            added, n = added + (time.perf_counter() - middle) - (middle - started), n + len(queries)
    return rows, 1000 * added / max(n, 1)


def shown_results(retriever: Retriever, typed: Sequence[Query], free: Sequence[Query]) -> tuple[str, dict]:
    """The shown-results table (``assistant/evaluation/shown.py``) over the typed bank and free-form queries."""
    from assistant.evaluation.shown import Ranked, shown_report
    from assistant.retrieval.results import topics_of

    def ranked(queries: Sequence[Query]) -> list[Ranked]:
        out = []
        for q in queries:
            r = retriever.ranking(
                q.text, "fused", exclude=(q.leave_out,) if q.leave_out else (), section=q.section, context=q.context
            )
            out.append(Ranked(tuple(r.numbers.tolist()), tuple(r.scores.tolist()), q.relevant))
        return out

    topics = topics_of(retriever)
    assert topics is not None
    return shown_report(ranked(typed), ranked(free), topics)


def report(
    retriever: Retriever, ablation: bool = True, cv: bool = True, free_form: Path = FREE_FORM, bankless: bool = False
) -> tuple[str, dict]:
    """The eval's tables; ``bankless`` (no bank by choice, or the index found it does not fit): free-form ones only."""
    reranked = retriever if retriever.reranker is not None else None
    retriever = retriever.with_settings(rerank_depth=0)  # every other table scores the fused ranking itself
    bank = bank_queries(retriever, with_section=True)
    typed = bank_queries(retriever, with_section=False)
    free = free_form_queries(free_form) if free_form.is_file() else []
    if bankless:
        return free_form_report(retriever, free, free_form, ablation)
    blocks: list[str] = []
    data: dict[str, object] = {}

    rows = evaluate(retriever, bank)
    if cv:
        scores, chosen = cross_validated(retriever, bank)
        rows.append(scores)
        data["cross_validated_weights"] = chosen
    blocks.append(
        format_table(
            f"Bank questions citing slides, leave-one-out, as clicked in the bank (section known), {len(bank)} queries",
            rows,
        )
    )
    data["bank"] = [asdict(r) for r in rows]
    rows = evaluate(retriever, typed) + ([summarise("fused: free-form", ranks(retriever, free))] if free else [])
    blocks.append(format_table("Same questions typed (no section), and free-form questions in a student's words", rows))
    data["typed"] = [asdict(r) for r in rows]

    text, data["shown"] = shown_results(retriever, typed, free)
    blocks.append(text)

    from assistant.evaluation.typos import typo_report

    text, data["typos"] = typo_report(retriever, free, free_form, typed)
    if text:
        blocks.append(text)

    if reranked is not None:
        depth = reranked.settings.rerank_depth
        rows, ms = reranker_rows(retriever, reranked, (("", bank), ("typed: ", typed), ("free-form: ", free)))
        blocks.append(
            format_table(
                f"Fused + reranker: the top {depth} re-ordered by the cross-encoder (+{ms:.1f} ms per query)",
                rows,
                width=30,
            )
        )
        data["reranker"] = {"depth": depth, "added_ms_per_query": round(ms, 2), "rows": [asdict(r) for r in rows]}

    fused = ranks(retriever, bank)
    groups: dict[str, list[int | None]] = {}
    for q, r in zip(bank, fused):
        groups.setdefault(q.group, []).append(r)
    rows = [summarise(name[:24], rs) for name, rs in groups.items()]
    blocks.append(format_table("Fused, per bank section (as clicked)", rows))
    data["sections"] = [asdict(r) for r in rows]

    # Without the adapter and the parent context is the fused ranking as it was before either existed.
    plain_ms = latency_ms(retriever.with_settings(context_weight=0.0, query_adapter=False), bank)
    full_ms = latency_ms(retriever, bank)
    blocks.append(
        f"Warm fused query, in-process, median over the {len(bank)} questions as clicked (encoding included): "
        f"{full_ms:.1f} ms ({plain_ms:.1f} ms without the query adapter and the parent context)"
    )
    data["latency_ms"] = {"fused": round(full_ms, 2), "fused_without_adapter_and_context": round(plain_ms, 2)}

    if ablation:
        rows = []
        for name, changes in ABLATIONS:
            variant = retriever.with_settings(**changes)
            rows.append(summarise(f"{name}", ranks(variant, bank)))
            if free:
                rows.append(summarise("  free-form", ranks(variant, free)))
        blocks.append(
            format_table(
                "Ablation: fused retrieval with one signal removed (bank as clicked; free-form below each)", rows
            )
        )
        data["ablation"] = [asdict(r) for r in rows]
    return "\n\n".join(blocks), data


def free_form_report(
    retriever: Retriever, free: Sequence[Query], path: Path, ablation: bool = True
) -> tuple[str, dict]:
    """The tables a deck without a (fitting) bank can have: its free-form questions, per method and ablation."""
    if not free:
        raise SlidebankError(
            f"no bank question cites a slide and {path} has no questions; give --bank FILE or --free-form FILE"
        )
    rows = evaluate(retriever, free, [m for m in METHODS if m != "bank"])
    blocks = [format_table(f"Free-form questions in a student's words ({path.name}), no bank", rows)]
    data: dict[str, object] = {"free_form": [asdict(r) for r in rows]}
    from assistant.evaluation.typos import typo_report

    text, data["typos"] = typo_report(retriever, free, path)
    if text:
        blocks.append(text)
    if ablation:
        bankless = [
            (name, changes)
            for name, changes in ABLATIONS
            if not any(k.startswith(("bank", "section")) for k in changes)
        ]
        rows = [summarise(name, ranks(retriever.with_settings(**changes), free)) for name, changes in bankless]
        blocks.append(format_table("Ablation: fused retrieval with one signal removed (free-form)", rows))
        data["ablation"] = [asdict(r) for r in rows]
    return "\n\n".join(blocks), data


def build_parser(prog: str = "python -m assistant.eval") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Score retrieval against the slides the question bank cites (leave-one-out), per method, section and ablation.",
    )
    add_index_option(parser)
    add_database_option(parser)
    add_bank_option(parser)
    parser.add_argument(
        "--free-form",
        type=Path,
        default=FREE_FORM,
        metavar="TSV",
        help="free-form questions with the slides that answer them (default: the bundled set for the course deck)",
    )
    parser.add_argument("--no-ablation", action="store_true", help="skip the ablation table (faster)")
    parser.add_argument(
        "--no-cv",
        action="store_true",
        help=f"skip the row whose weights are picked on the other {FOLDS} folds (faster)",
    )
    add_json_option(parser, "print the scores as JSON")
    parser.add_argument(
        "--reranker", metavar="NAME_OR_PATH", default=None, help=RERANKER_HELP + "; adds a 'fused + reranker' table"
    )
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m assistant.eval") -> int:
    args = build_parser(prog).parse_args(argv)
    user = settings_from(args)
    if not args.free_form.is_file() and args.free_form != FREE_FORM:
        fail(f"no free-form questions at {args.free_form}")
    if user.database_url is None:
        load_index(user.index)  # fail fast, before loading a model, when there is nothing to score
    retriever, notices = open_retriever(reranker=args.reranker, user=user)
    if retriever.index is None:
        fail(notices[0].split(";")[0] + "; the eval needs slides: python -m ingest path/to/slides.pdf")
    for notice in notices:
        print(f"note: {safe(notice)}", file=sys.stderr)
    started = time.perf_counter()
    bankless = not retriever.bank and (user.no_bank or retriever.bank_fit is not None)
    text, data = report(
        retriever, ablation=not args.no_ablation, cv=not args.no_cv, free_form=args.free_form, bankless=bankless
    )
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps(data))
    else:
        print(safe(text, lines=True))
        print(f"\n({seconds:.1f} s)")
    return 0
