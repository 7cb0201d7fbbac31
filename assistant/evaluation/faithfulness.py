"""``python -m assistant.evaluation.faithfulness``: does the sentence check tell true from false?

Each sentence is judged against one slide with the check every answer uses
(``SupportChecker.judge``). Two sets, per course (the index given):

- **hand-written** (``data/faithfulness.jsonl``): sentences written by reading the slides, as a
  student or a small model writes them, each with its slide number and that slide's title (a
  record is used only where the index's slide has that title, so one file serves both courses).
  Categories: ``faithful`` paraphrases, ``contradiction`` (negations, antonyms, swapped pairings,
  wrong direction, always/never against often), ``invented`` specifics (numbers, names, years,
  extra properties or consequences), ``other_slide`` (a true sentence of another slide). Split
  ``dev`` (what the rules were tuned on) and ``heldout`` (never tuned on; the second course is
  all held out).
- **generated** from the index at run time (no slide text is stored): per slide line, rule-made
  paraphrases, negations, antonym swaps, sweeping quantifiers, swapped pairings of parallel lines,
  appended numbers, names and consequences, and lines of distant slides. These rules share
  ideas with the check, so this set is a regression test, not the judge.

Printed per category: how many sentences pass (are judged supported) and the AUC of faithful
sentences against that category. The ranking score is the verdict first (supported above the
rest), then the support score; ``--baseline`` prints the same for the support score alone, the
check before verdicts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer import faithfulness as faith
from assistant.answer.support import SupportChecker, checker_for
from assistant.cli import add_index_option, add_json_option, command, fail, settings_from
from assistant.evaluation.support import roc
from index.records import Slide
from index.settings import NO_BANK
from index.terminal import safe

DATA = Path(__file__).with_name("data") / "faithfulness.jsonl"
CATEGORIES = ("faithful", "contradiction", "invented", "other_slide")
GOALS = {"faithful": ">= 85% pass", "contradiction": "<= 10% pass", "invented": "<= 20% pass", "other_slide": "-"}


@dataclass(frozen=True)
class Item:
    slide: int
    category: str
    text: str
    source: str  # "hand" or "generated"
    split: str  # "dev", "heldout" (hand-written) or "generated"
    question: str = ""


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def hand_items(slides: Sequence[Slide], path: Path = DATA) -> list[Item]:
    """The hand-written sentences whose slide number and title match this index."""
    out: list[Item] = []
    for row in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()):
        n = row["slides"][0]
        if 1 <= n <= len(slides) and _normal(slides[n - 1].title) == _normal(row["title"]):
            out.append(Item(n, row["category"], row["text"], "hand", row["split"], row.get("question", "")))
    return out


# -- rule-made sentences ---------------------------------------------------------------------------

_PARAPHRASE_SWAPS = {
    "important": "crucial", "use": "employ", "used": "employed", "compute": "calculate", "reduce": "lower",
    "reduces": "lowers", "find": "obtain", "many": "numerous", "good": "fine", "large": "big", "small": "little",
    "method": "technique", "methods": "techniques", "images": "pictures", "data": "inputs", "want": "wish",
}  # fmt: skip
_FLIPS = {
    "large": "small", "small": "large", "more": "less", "less": "more", "increase": "decrease",
    "increasing": "decreasing", "decreasing": "increasing", "high": "low", "low": "high", "good": "poor",
    "better": "worse", "worse": "better", "single": "multiple", "multiple": "single", "same": "different",
    "linear": "nonlinear", "deterministic": "stochastic", "stochastic": "deterministic", "local": "global",
    "global": "local", "similar": "different", "supervised": "unsupervised", "unsupervised": "supervised",
    "convex": "concave", "minimize": "maximize", "maximize": "minimize", "positive": "negative",
}  # fmt: skip
_HEDGE_TO_SWEEP = {"often": "always", "typically": "always", "usually": "always", "can": "must", "may": "must",
                   "probably": "certainly", "some": "all", "most": "all", "sometimes": "never"}  # fmt: skip
_COPULA = re.compile(r"\b(is|are|can|does|do|was|were|has|have|will)\b", re.IGNORECASE)
_INVENTIONS = (
    "{line}, as shown by Smith and Jones in 2009.",
    "{line}; in practice this needs about 512 samples.",
    "{line}, which also guarantees convergence to the global optimum.",
    "{line}, and this is why it prevents overfitting on ImageNet.",
    "{line}, which makes training roughly 3 times faster.",
)


def _good_lines(slide: Slide) -> list[str]:
    lines = faith.slide_lines(slide)[1:]  # the title is no claim
    return [line.text for line in lines if len(line.tokens) >= 4 and not line.text.endswith("?")]


def _first(pattern_words: dict[str, str], text: str) -> str | None:
    for word in re.findall(r"[A-Za-z]+", text):
        if word.lower() in pattern_words:
            return re.sub(rf"\b{word}\b", pattern_words[word.lower()], text, count=1)
    return None


def generated_items(slides: Sequence[Slide], every: int = 1) -> list[Item]:
    """Rule-made sentences for every ``every``-th slide with lines of four or more content words."""
    usable = [s for s in slides if _good_lines(s)]
    out: list[Item] = []
    for i, slide in enumerate(usable[::every]):
        lines = _good_lines(slide)
        line = max(lines, key=len)
        made: list[tuple[str, str | None]] = [
            ("faithful", f"{slide.title.strip()}: {line[0].lower()}{line[1:]}"),
            ("faithful", _first(_PARAPHRASE_SWAPS, line)),
        ]
        if len(lines) > 1:
            other = [x for x in lines if x != line][0]
            made.append(("faithful", f"{line.rstrip('.')}, and {other[0].lower()}{other[1:]}"))
        negation = _COPULA.sub(lambda m: f"{m.group(1)} not", line, count=1)
        made += [
            ("contradiction", negation if negation != line else f"It is not true that {line[0].lower()}{line[1:]}"),
            ("contradiction", _first(_FLIPS, line)),
            ("contradiction", _first(_HEDGE_TO_SWEEP, line)),
            ("contradiction", _swapped(lines)),
            ("invented", _INVENTIONS[i % len(_INVENTIONS)].format(line=line.rstrip("."))),
        ]
        far = usable[(usable.index(slide) + len(usable) // 2) % len(usable)]
        if abs(far.number - slide.number) > 10:
            made.append(("other_slide", max(_good_lines(far), key=len)))
        out += [
            Item(slide.number, category, text, "generated", "generated")
            for category, text in made
            if text and _normal(text) != _normal(line)
        ]
    return out


def _swapped(lines: Sequence[str]) -> str | None:
    """Two "TERM: property" lines with their properties exchanged."""
    pairs = [line.split(":", 1) for line in lines if ":" in line and len(line.split(":", 1)[0].split()) <= 4]
    if len(pairs) < 2:
        return None
    (a, pa), (_, pb) = pairs[0], pairs[1]
    if _normal(pa) == _normal(pb):
        return None
    return f"{a.strip()}:{pb}"


# -- judging ---------------------------------------------------------------------------------------


def judge_all(retriever, slides: Sequence[Slide], items: Sequence[Item], nli: bool = True) -> list[dict]:
    checkers: dict[tuple[int, str], SupportChecker] = {}
    rows = []
    for item in items:
        key = (item.slide, item.question)
        if key not in checkers:
            checkers[key] = checker_for(retriever, [slides[item.slide - 1]], item.question, nli)
        j = checkers[key].judge(item.text)
        rank = (1.0 if j.supported else 0.0) + 0.5 * j.score
        rows.append({**item.__dict__, "verdict": j.verdict, "reason": j.reason, "evidence": j.evidence,
                     "score": j.score, "rank": rank})  # fmt: skip
    return rows


def table(rows: Sequence[dict], key: str = "rank", passed=lambda r: r["verdict"] == faith.SUPPORTED) -> list[dict]:
    faithful = np.array([r[key] for r in rows if r["category"] == "faithful"])
    out = []
    for category in CATEGORIES:
        chosen = [r for r in rows if r["category"] == category]
        if not chosen:
            continue
        scores = np.array([r[key] for r in chosen])
        auc = roc(faithful, scores)[3] if category != "faithful" and len(faithful) else None
        out.append({"category": category, "n": len(chosen), "pass": sum(map(passed, chosen)), "auc": auc})
    return out


def print_table(title: str, lines: Sequence[dict]) -> None:
    print(f"\n{title}")
    print("| category | sentences | pass (judged supported) | AUC vs faithful | goal |")
    print("| --- | --- | --- | --- | --- |")
    for line in lines:
        auc = "-" if line["auc"] is None else f"{line['auc']:.3f}"
        share = line["pass"] / line["n"]
        print(
            f"| {line['category']} | {line['n']} | {line['pass']} ({share:.0%}) | {auc} | {GOALS[line['category']]} |"
        )


def groups(rows: Sequence[dict]) -> Iterator[tuple[str, list[dict]]]:
    for split in ("dev", "heldout"):
        chosen = [r for r in rows if r["source"] == "hand" and r["split"] == split]
        if chosen:
            yield f"hand-written, {split}", chosen
    generated = [r for r in rows if r["source"] == "generated"]
    if generated:
        yield "generated from the index", generated


def build_parser(prog: str = "python -m assistant.evaluation.faithfulness") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    add_index_option(parser)
    parser.add_argument("--data", type=Path, default=DATA, help="hand-written sentences (JSON lines)")
    parser.add_argument(
        "--every", type=int, default=3, help="generate for every N-th usable slide (default: %(default)s)"
    )
    parser.add_argument("--no-generated", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="also the support score alone (before verdicts)")
    parser.add_argument(
        "--show", choices=CATEGORIES, default=None, help="list the sentences of a category and their verdicts"
    )
    parser.add_argument("--no-nli", action="store_true", help="rules only, without the entailment model")
    add_json_option(parser)
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m assistant.evaluation.faithfulness") -> int:
    args = build_parser(prog).parse_args(argv)
    if args.every < 1:
        fail("--every must be at least 1")
    from assistant.retrieval.loading import open_retriever

    retriever, _ = open_retriever(user=settings_from(args).with_(bank=Path(NO_BANK), bank_named=True))
    if retriever.index is None:
        fail("needs an index; run: python -m ingest SLIDES.pdf")
    slides = retriever.index.slides
    try:
        items = hand_items(slides, args.data)
    except (ValueError, KeyError, IndexError) as exc:
        fail(f"{args.data}: not a sentence file ({exc})")
    if not args.no_generated:
        items += generated_items(slides, args.every)
    rows = judge_all(retriever, slides, items, not args.no_nli)
    report = {name: table(chosen) for name, chosen in groups(rows)}
    if args.baseline:
        from assistant.answer.support import SUPPORT_THRESHOLD

        for name, chosen in groups(rows):
            report[f"{name}, support score alone"] = table(chosen, "score", lambda r: r["score"] >= SUPPORT_THRESHOLD)
    if args.json:
        print(json.dumps({"index": str(retriever.index.path), "tables": report, "rows": rows}))
        return 0
    from assistant.answer.entailment import judge

    second = "rules only" if args.no_nli or judge() is None else "rules + entailment model"
    print(f"index: {retriever.index.path} ({len(slides)} slides); {len(rows)} sentences; {second}")
    for name, lines in report.items():
        print_table(name, lines)
    if args.show:
        print()
        for r in rows:
            if r["category"] == args.show:
                mark = "PASS" if r["verdict"] == faith.SUPPORTED else "    "
                print(
                    f"{mark} [{r['split']}] slide {r['slide']}: {safe(r['text'])} -> {r['verdict']} {safe(r['reason'])}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
