"""``python -m assistant.answer_eval``: how often answers abstain, in scope and out of scope.

In scope: every bank question (the course's own exam questions), searched with its own entry
left out of the bank. Out of scope: a list of questions the slides do not answer
(default: the package's ``data/out_of_scope.txt``). The threshold is calibrated from the bank side only;
each bank question is judged against a threshold computed without it (leave-one-out), and the
out-of-scope list never touches the threshold, so its rate is a held-out check.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.answer.confidence import (
    DEFAULT_PERCENTILE,
    bank_confidences,
    bank_confidences_fast,
    confidences,
    threshold_from,
)
from assistant.answer.generate import Answer, stream_answers
from assistant.cli import add_bank_option, add_index_option
from assistant.retrieval.retriever import open_retriever
from index.errors import SlidebankError

DEFAULT_OUT_OF_SCOPE = Path(__file__).resolve().parent / "data" / "out_of_scope.txt"

EPILOG = """
examples:
  python -m assistant.answer_eval                             # extractive row, all questions
  python -m assistant.answer_eval --llm smollm2 --limit 20    # add an LLM row over 20 + 20 questions
"""


def read_questions(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def spread(items: Sequence, limit: int | None) -> list:
    """``limit`` items evenly spread over the list (every section of the bank), in order."""
    if limit is None or limit >= len(items):
        return list(items)
    picks = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in dict.fromkeys(picks.tolist())]


def run_backend(
    retriever, backend: str, cases: Sequence[tuple[str, str | None, float, float]], model: str | None, progress: bool
) -> dict:
    """cases: (query, bank id to leave out, confidence, threshold). Returns counts and timings."""
    answers: list[Answer] = []
    latency: list[float] = []
    ttft: list[float] = []
    speed: list[float] = []
    for i, (query, leave_out, confidence, threshold) in enumerate(cases, 1):
        result = retriever.search(query, k=5, exclude=(leave_out,) if leave_out else ())
        started = time.perf_counter()
        first = None
        final = None
        for final in stream_answers(result, backend, confidence=confidence, threshold=threshold, model=model):
            if first is None and final.reason == "draft":
                first = time.perf_counter() - started
        latency.append(time.perf_counter() - started)
        assert final is not None
        answers.append(final)
        if first is not None:
            from assistant.answer import llm

            ttft.append(first)
            gen = llm.load(model or llm.BUNDLED).last
            if gen.tokens_per_s:
                speed.append(gen.tokens_per_s)
        if progress:
            print(f"\r  {backend}: {i}/{len(cases)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return {
        "n": len(answers),
        "abstained": sum(a.abstained for a in answers),
        "reasons": {r: sum(a.reason == r for a in answers) for r in sorted({a.reason for a in answers if a.abstained})},
        "dropped": sum(a.dropped for a in answers),
        "latency_ms_median": 1000 * statistics.median(latency) if latency else 0.0,
        "ttft_s_median": statistics.median(ttft) if ttft else None,
        "tokens_per_s_median": statistics.median(speed) if speed else None,
        "generated": len(ttft),
    }


def main(argv: list[str] | None = None, prog: str = "python -m assistant.answer_eval") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=__doc__.split("\n\n")[0].split(": ", 1)[1],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out-of-scope",
        type=Path,
        default=DEFAULT_OUT_OF_SCOPE,
        help="questions the slides do not answer, one a line (default: %(default)s)",
    )
    parser.add_argument(
        "--percentile",
        type=float,
        default=DEFAULT_PERCENTILE,
        help="in-scope confidence percentile used as threshold (default: %(default)s)",
    )
    parser.add_argument(
        "--llm",
        metavar="NAME_OR_PATH",
        default=None,
        help="also measure the LLM backend with this model ('smollm2': the bundled one)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="LLM row only: N in-scope and N out-of-scope questions, spread over the lists",
    )
    add_index_option(parser)
    add_bank_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress")
    args = parser.parse_args(argv)
    try:
        out_of_scope = read_questions(args.out_of_scope)
        retriever, _ = open_retriever(args.index, args.bank)
    except OSError as exc:
        print(f"error: cannot read {args.out_of_scope} ({exc.strerror})", file=sys.stderr)
        return 2
    except SlidebankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if retriever.index is None or not retriever.bank:
        print("error: needs an index and a bank; run: python -m ingest SLIDES.pdf", file=sys.stderr)
        return 2
    if not 0 < args.percentile < 100:
        print("error: --percentile must be between 0 and 100", file=sys.stderr)
        return 2

    bank = list(retriever.bank)
    in_conf = bank_confidences(retriever)
    out_conf = confidences(retriever, out_of_scope)
    threshold = threshold_from(in_conf, args.percentile)
    # Leave-one-out: question i is judged by a threshold computed from the other bank questions.
    loo = [threshold_from(np.delete(in_conf, i), args.percentile) for i in range(len(bank))]
    in_cases = [(retriever.query_text(q), q.id, float(c), t) for q, c, t in zip(bank, in_conf, loo)]
    out_cases = [(q, None, float(c), threshold) for q, c in zip(out_of_scope, out_conf)]

    rows = {
        "extractive": (
            run_backend(retriever, "extractive", in_cases, None, not args.quiet),
            run_backend(retriever, "extractive", out_cases, None, not args.quiet),
        )
    }
    if args.llm:
        try:
            rows["llm"] = (
                run_backend(retriever, "llm", spread(in_cases, args.limit), args.llm, not args.quiet),
                run_backend(retriever, "llm", spread(out_cases, args.limit), args.llm, not args.quiet),
            )
        except SlidebankError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    calibration = {
        "signal": "best dense chunk cosine",
        "percentile": args.percentile,
        "threshold": threshold,
        "threshold_from_cached_bank_vectors": threshold_from(bank_confidences_fast(retriever), args.percentile),
        "in_scope": {
            "n": len(in_conf),
            "min": float(in_conf.min()),
            "p5": float(np.percentile(in_conf, 5)),
            "median": float(np.median(in_conf)),
        },
        "out_of_scope": {
            "n": len(out_conf),
            "max": float(out_conf.max()) if len(out_conf) else None,
            "median": float(np.median(out_conf)) if len(out_conf) else None,
        },
    }
    if args.json:
        print(
            json.dumps(
                {
                    "calibration": calibration,
                    "rows": {k: {"in_scope": a, "out_of_scope": b} for k, (a, b) in rows.items()},
                }
            )
        )
        return 0
    c = calibration
    print(
        f"threshold {c['threshold']:.3f} = p{args.percentile:g} of the best dense cosine over {c['in_scope']['n']} bank questions "
        f"(in scope: min {c['in_scope']['min']:.3f}, median {c['in_scope']['median']:.3f}; out of scope: median {c['out_of_scope']['median']:.3f}, max {c['out_of_scope']['max']:.3f})"
    )
    print()
    print(
        "| backend | in scope abstained | out of scope abstained | abstentions by reason (in / out) | citations dropped | answer latency (median) | time to first token | tokens/s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (a, b) in rows.items():
        ttft = f"{a['ttft_s_median']:.2f} s" if a["ttft_s_median"] is not None else "-"
        tps = f"{a['tokens_per_s_median']:.1f}" if a["tokens_per_s_median"] is not None else "-"
        lat = (
            f"{a['latency_ms_median']:.1f} ms"
            if a["latency_ms_median"] < 1000
            else f"{a['latency_ms_median'] / 1000:.1f} s"
        )
        print(
            f"| {name} | {a['abstained']}/{a['n']} ({a['abstained'] / a['n']:.0%}) | {b['abstained']}/{b['n']} ({b['abstained'] / max(b['n'], 1):.0%}) "
            f"| {a['reasons']} / {b['reasons']} | {a['dropped'] + b['dropped']} | {lat} | {ttft} | {tps} |"
        )
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
