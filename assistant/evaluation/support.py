"""``python -m assistant.evaluation.support``: calibrate the sentence support threshold, no bank question used.

Positives: the deck's own sentences (its bullets with four or more content words). Negatives:
the package's out-of-scope questions and, with ``--negatives``, the bullets of another course's
slides (PDFs that are read here and never stored). Each sentence is scored the way an answer's
sentence is: against the top slides retrieval gives for it (the slides a model would have been
given), the best one counting, with the verbatim-quote shortcut off (it would make every positive
trivially 1.0). The printed ROC point is the most lenient threshold whose false-positive rate on
the negatives is at most ``--max-fpr``; ``SUPPORT_THRESHOLD`` in ``assistant/answer/support.py``
holds it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.answer.extractive import DeckProfile, parse_bullets
from assistant.answer.generate import sources
from assistant.answer.support import (
    DENSE_SHARE,
    SUPPORT_THRESHOLD,
    checker_for,
    content_tokens,
    split_sentences,
)
from assistant.cli import BANK_HELP, add_bank_option, add_index_option, add_json_option, command, fail, settings_from
from assistant.evaluation.answers import DEFAULT_OUT_OF_SCOPE, read_questions, spread
from assistant.retrieval.loading import open_retriever
from index.records import Slide

MIN_WORDS = 4


def deck_sentences(slides: Sequence[Slide]) -> list[str]:
    profile = DeckProfile(slides)
    out: list[str] = []
    for slide in slides:
        if slide.image_only or profile.is_agenda(slide):
            continue
        # Sentence by sentence, as an answer is checked (a Beamer paragraph holds several).
        out.extend(
            t for b in parse_bullets(slide) for t in split_sentences(b.sentence) if len(content_tokens(t)) >= MIN_WORDS
        )
    return list(dict.fromkeys(out))


def pdf_sentences(paths: Sequence[Path]) -> list[str]:
    from ingest.pdf import expand_inputs, make_slide, read_pages

    slides: list[Slide] = []
    for path in expand_inputs(paths):
        for page, text in enumerate(read_pages(path), 1):
            slides.append(make_slide(len(slides) + 1, path.stem, page, text))
    return deck_sentences(slides)


def score_all(retriever, sentences: Sequence[str]) -> np.ndarray:
    """(n, 3): combined, dense, lexical support of each sentence by its best retrieved slide."""
    rows = []
    for text in sentences:
        hits = sources(retriever.search(text, k=5))
        checker = checker_for(retriever, [h.slide for h in hits])
        best = (0.0, 0.0, 0.0)
        for n in checker.order:
            combined = checker.score(text, n, allow_quote=False)
            lexical = len(set(content_tokens(text)) & checker._tokens[n]) / max(len(set(content_tokens(text))), 1)
            dense = (combined - (1 - DENSE_SHARE) * lexical) / DENSE_SHARE
            if combined > best[0]:
                best = (combined, dense, lexical)
        rows.append(best)
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def roc(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Thresholds (descending), TPR and FPR at each (score >= threshold counts as supported), and the AUC."""
    thresholds = np.unique(np.concatenate([pos, neg]))[::-1]
    tpr = np.array([(pos >= t).mean() for t in thresholds])
    fpr = np.array([(neg >= t).mean() for t in thresholds])
    auc = float(np.mean([(p > neg).mean() + 0.5 * (p == neg).mean() for p in pos])) if len(pos) and len(neg) else 0.0
    return thresholds, tpr, fpr, auc


def operating_point(pos: np.ndarray, neg: np.ndarray, max_fpr: float) -> dict:
    thresholds, tpr, fpr, auc = roc(pos, neg)
    ok = np.flatnonzero(fpr <= max_fpr)
    i = int(ok[-1]) if len(ok) else 0  # the lowest threshold still within the false-positive budget
    return {"threshold": float(thresholds[i]), "tpr": float(tpr[i]), "fpr": float(fpr[i]), "auc": auc}


def build_parser(prog: str = "python -m assistant.evaluation.support") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    add_index_option(parser)
    add_bank_option(parser, "only for retrieval's bank signal; no bank question is scored; " + BANK_HELP)
    parser.add_argument("--out-of-scope", type=Path, default=DEFAULT_OUT_OF_SCOPE)
    parser.add_argument(
        "--negatives",
        type=Path,
        nargs="*",
        default=[],
        metavar="PDF_OR_FOLDER",
        help="another course's slides: their bullets are negatives",
    )
    parser.add_argument(
        "--max-fpr", type=float, default=0.05, help="false-positive budget of the chosen point (default: %(default)s)"
    )
    parser.add_argument("--limit", type=int, default=None, help="at most N sentences per list, spread over it")
    add_json_option(parser)
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m assistant.evaluation.support") -> int:
    args = build_parser(prog).parse_args(argv)
    retriever, _ = open_retriever(user=settings_from(args))
    negatives_text = read_questions(args.out_of_scope) + (pdf_sentences(args.negatives) if args.negatives else [])
    if retriever.index is None:
        fail("needs an index; run: python -m ingest SLIDES.pdf")
    positives_text = spread(deck_sentences(retriever.index.slides), args.limit)
    negatives_text = spread(negatives_text, args.limit)
    pos, neg = score_all(retriever, positives_text), score_all(retriever, negatives_text)
    report = {
        "positives": len(pos),
        "negatives": len(neg),
        "max_fpr": args.max_fpr,
        "combined": operating_point(pos[:, 0], neg[:, 0], args.max_fpr),
        "dense_only": operating_point(pos[:, 1], neg[:, 1], args.max_fpr),
        "lexical_only": operating_point(pos[:, 2], neg[:, 2], args.max_fpr),
        "current_threshold": SUPPORT_THRESHOLD,
        "at_current": {
            "tpr": float((pos[:, 0] >= SUPPORT_THRESHOLD).mean()),
            "fpr": float((neg[:, 0] >= SUPPORT_THRESHOLD).mean()),
        },
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"{report['positives']} positive sentences (this deck), {report['negatives']} negatives (out of scope{' + other course' if args.negatives else ''})"
    )
    print(f"| score | AUC | threshold at FPR <= {args.max_fpr:.0%} | TPR | FPR |")
    print("| --- | --- | --- | --- | --- |")
    for name in ("combined", "dense_only", "lexical_only"):
        p = report[name]
        print(f"| {name.replace('_', ' ')} | {p['auc']:.3f} | {p['threshold']:.3f} | {p['tpr']:.3f} | {p['fpr']:.3f} |")
    c = report["at_current"]
    print(f"SUPPORT_THRESHOLD now {SUPPORT_THRESHOLD}: TPR {c['tpr']:.3f}, FPR {c['fpr']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
