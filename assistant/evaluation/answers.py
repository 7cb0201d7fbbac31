"""``python -m assistant.answer_eval``: answers per backend against the bank, in scope and out of scope.

In scope: every bank question (the course's own exam questions), searched with its own entry
left out of the bank (leave-one-out, as in the retrieval eval). Out of scope: a list of questions
the slides do not answer (default: the package's ``data/out_of_scope.txt``). The abstention
threshold is calibrated from the bank side only; each bank question is judged against a
threshold computed without it, and the out-of-scope list never touches it.

Per backend: citation precision (cited slides that the bank's references name, over answered
questions) and recall (referenced slides that were cited, over every question with references:
an abstention cites nothing, so it never counts as a pass), the share of written sentences the
slides support, abstention in and out of scope, and the time to the first checked sentence.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.answer.citations import Answer
from assistant.answer.generate import stream_answers
from assistant.cli import (
    add_bank_option,
    add_index_option,
    add_json_option,
    add_quiet_option,
    command,
    fail,
    settings_from,
)
from assistant.retrieval.confidence import (
    DEFAULT_PERCENTILE,
    bank_confidences,
    bank_confidences_fast,
    confidences,
    threshold_from,
)
from assistant.retrieval.loading import open_retriever
from index.settings import ENV_LLM_URL

DEFAULT_OUT_OF_SCOPE = Path(__file__).resolve().parent / "data" / "out_of_scope.txt"

EPILOG = """
examples:
  python -m assistant.answer_eval                                   # extractive row, all questions
  python -m assistant.answer_eval --llm smollm2 --limit 20          # add an in-process LLM row over 20 + 20 questions
  python -m assistant.answer_eval --llm-url http://127.0.0.1:11434/v1 --llm-model llama3.2 --limit 40   # a model server's row
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


Case = tuple[str, "str | None", float, float, tuple[int, ...]]  # query, bank id left out, confidence, threshold, refs


def run_backend(
    retriever, backend: str, cases: Sequence[Case], options: dict, progress: bool, record: list | None = None
) -> dict:
    """Answer every case with one backend; counts, citation scores and timings. ``record``: gets one
    dict per case (the question, its references, the answer's sentences) for reading by hand."""
    answers: list[Answer] = []
    first_checked: list[float] = []
    speed: list[float] = []
    hits = cited = refs_total = 0
    for i, (query, leave_out, confidence, threshold, refs) in enumerate(cases, 1):
        result = retriever.search(query, k=5, exclude=(leave_out,) if leave_out else ())
        started = time.perf_counter()
        first = None
        final = None
        for final in stream_answers(
            result, backend, retriever=retriever, confidence=confidence, threshold=threshold, **options
        ):
            if first is None and any(s.supported for s in final.sentences) and not final.abstained:
                first = time.perf_counter() - started
        assert final is not None
        answers.append(final)
        if first is not None:
            first_checked.append(first)
        if record is not None:
            record.append(_record(backend, query, refs, final, first))
        if backend != "extractive" and final.sentences:
            lm = _model(backend, options)
            if lm is not None and lm.last is not None and lm.last.tokens_per_s:
                speed.append(lm.last.tokens_per_s)
        if refs:
            refs_total += len(set(refs))
            hits += len(set(final.citations) & set(refs))
            cited += len(set(final.citations)) if not final.abstained else 0
        if progress:
            print(f"\r  {backend}: {i}/{len(cases)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    sentences = [s for a in answers for s in a.sentences]
    return {
        "n": len(answers),
        "abstained": sum(a.abstained for a in answers),
        "reasons": {r: sum(a.reason == r for a in answers) for r in sorted({a.reason for a in answers if a.abstained})},
        "citation_precision": hits / cited if cited else None,
        "citation_recall": hits / refs_total if refs_total else None,
        "sentences": len(sentences),
        "supported_share": sum(s.supported for s in sentences) / len(sentences) if sentences else None,
        "dropped": sum(a.dropped for a in answers),
        "first_checked_s_median": statistics.median(first_checked) if first_checked else None,
        "tokens_per_s_median": statistics.median(speed) if speed else None,
    }


def _record(backend: str, query: str, refs: tuple[int, ...], final: Answer, first: float | None) -> dict:
    return {
        "backend": backend,
        "query": query,
        "refs": list(refs),
        "abstained": final.abstained,
        "reason": final.reason,
        "citations": list(final.citations),
        "first_checked_s": first,
        "sentences": [{"text": s.text, "slides": list(s.slides), "supported": s.supported} for s in final.sentences],
    }


def _model(backend: str, options: dict):
    if backend == "server":
        from assistant.answer import server

        return server.connect(
            options["url"],
            options.get("model"),
            options.get("allow_remote", False),
            timeout_s=options.get("timeout_s"),
            api_key=options.get("api_key"),
        )
    from assistant.answer import llm

    return llm.load(options.get("model") or llm.BUNDLED)


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "-" if value is None else pattern.format(value)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.1f} s"


def build_parser(prog: str = "python -m assistant.answer_eval") -> argparse.ArgumentParser:
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
        help="also measure the in-process LLM backend with this model ('smollm2': the bundled one)",
    )
    parser.add_argument(
        "--llm-url",
        metavar="URL",
        default=None,
        help=f"also measure a model server (OpenAI-compatible; default: ${ENV_LLM_URL} when set)",
    )
    parser.add_argument(
        "--llm-model",
        metavar="NAME",
        default=None,
        help="the model to ask on --llm-url (default: the server's only model)",
    )
    parser.add_argument("--allow-remote-llm", action="store_true", help="allow an --llm-url on another machine")
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="model rows only: N in-scope and N out-of-scope questions, spread over the lists",
    )
    add_index_option(parser)
    add_bank_option(parser)
    parser.add_argument(
        "--sentences",
        type=Path,
        default=None,
        metavar="FILE",
        help="model rows: write every answer's sentences, checked, as JSON lines to FILE (to read them by hand)",
    )
    add_json_option(parser, "print one JSON object")
    add_quiet_option(parser, "no progress")
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m assistant.answer_eval") -> int:
    args = build_parser(prog).parse_args(argv)
    user = settings_from(args)
    url = user.llm_url
    if url:
        from assistant.answer.server import check_url

        url = check_url(url, args.allow_remote_llm)  # before anything connects
    if args.sentences is not None:
        try:  # before a long run: a path that cannot be written is said at once
            args.sentences.open("a", encoding="utf-8").close()
        except OSError as exc:
            fail(f"cannot write {args.sentences} ({exc.strerror})")
    try:
        out_of_scope = read_questions(args.out_of_scope)
    except OSError as exc:
        fail(f"cannot read {args.out_of_scope} ({exc.strerror})")
    retriever, _ = open_retriever(user=user)
    if retriever.index is None or not retriever.bank:
        fail("needs an index and a bank; run: python -m ingest SLIDES.pdf")
    if not 0 < args.percentile < 100:
        fail("--percentile must be between 0 and 100")

    bank = list(retriever.bank)
    in_conf = bank_confidences(retriever)
    out_conf = confidences(retriever, out_of_scope)
    threshold = threshold_from(in_conf, args.percentile)
    # Leave-one-out: question i is judged by a threshold computed from the other bank questions.
    loo = [threshold_from(np.delete(in_conf, i), args.percentile) for i in range(len(bank))]
    in_cases: list[Case] = [
        (retriever.query_text(q), q.id, float(c), t, tuple(q.refs)) for q, c, t in zip(bank, in_conf, loo)
    ]
    out_cases: list[Case] = [(q, None, float(c), threshold, ()) for q, c in zip(out_of_scope, out_conf)]

    progress = not args.quiet and sys.stderr.isatty()  # a counter redrawn in place: only on a terminal
    backends: list[tuple[str, str, dict, bool]] = [("extractive", "extractive", {}, False)]
    if args.llm:
        backends.append((f"llm ({args.llm})", "llm", {"model": args.llm}, True))
    if url:
        backends.append(
            (
                f"server ({args.llm_model or 'its model'})",
                "server",
                {
                    "url": url,
                    "model": args.llm_model,
                    "allow_remote": args.allow_remote_llm,
                    "timeout_s": user.llm_timeout(),
                    "api_key": user.llm_api_key,
                },
                True,
            )
        )
    rows = {}
    for name, backend, options, limited in backends:
        ins = spread(in_cases, args.limit) if limited else in_cases
        outs = spread(out_cases, args.limit) if limited else out_cases
        record: list | None = [] if limited and args.sentences is not None else None
        rows[name] = (
            run_backend(retriever, backend, ins, options, progress, record),
            run_backend(retriever, backend, outs, options, progress, record),
        )
        if record is not None:
            with args.sentences.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in record)
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
        "| backend | questions (in / out) | citation precision | citation recall | sentences supported | abstained in scope | abstained out of scope | first checked sentence (median) | tokens/s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (a, b) in rows.items():
        print(
            f"| {name} | {a['n']} / {b['n']} | {_fmt(a['citation_precision'])} | {_fmt(a['citation_recall'])} "
            f"| {_fmt(a['supported_share'], '{:.0%}')} ({a['sentences']}) | {a['abstained']}/{a['n']} ({a['abstained'] / max(a['n'], 1):.0%}) "
            f"| {b['abstained']}/{b['n']} ({b['abstained'] / max(b['n'], 1):.0%}) | {_seconds(a['first_checked_s_median'])} | {_fmt(a['tokens_per_s_median'], '{:.1f}')} |"
        )
    print()
    print(
        "abstentions by reason (in / out): "
        + "; ".join(f"{name}: {a['reasons']} / {b['reasons']}" for name, (a, b) in rows.items())
    )
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
