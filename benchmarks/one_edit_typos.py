"""How often a one-edit typo of a question word is read as the word meant, on one index.

    python -m benchmarks.one_edit_typos --index INDEX [--bank FILE|none] [--free-form TSV]

Every word of 6+ lower-case letters in the free-form questions (and the bank's questions, when a
bank is given) gets ``PER_WORD`` typos of one edit each from the eval's typo generator
(``assistant/evaluation/typos.py``: a letter dropped, two neighbours swapped, a letter doubled or
changed to a keyboard neighbour), seeded by the word so that runs compare. Each typo is corrected
alone (``spelling.correct`` with the index's vocabulary) and counted as right (the word meant),
wrong (another word) or unchanged; the wrong ones are listed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

from assistant.evaluation.retrieval import FREE_FORM, bank_queries, free_form_queries
from assistant.evaluation.typos import MIN_LENGTH, typo
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.spelling import correct

PER_WORD = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.one_edit_typos", description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--bank", type=Path, default=Path("none"), help="question bank markdown, or 'none'")
    parser.add_argument("--free-form", type=Path, default=FREE_FORM)
    args = parser.parse_args(argv)
    retriever, _ = open_retriever(args.index, args.bank)
    if retriever.vocabulary is None:
        print("error: the index has no slides", file=sys.stderr)
        return 1
    texts = [q.text for q in free_form_queries(args.free_form)]
    if str(args.bank) != "none":
        texts += [q.text for q in bank_queries(retriever, with_section=False)]
    words = sorted({w for t in texts for w in re.findall(r"[A-Za-z]+", t) if len(w) >= MIN_LENGTH and w.islower()})
    counts: Counter[str] = Counter()
    wrong: set[tuple[str, str, str]] = set()
    for word in words:
        for n in range(PER_WORD):
            typed = typo(word, random.Random(f"{word}{n}"))
            fixed = correct(typed, retriever.vocabulary)
            if not fixed.changes:
                counts["unchanged"] += 1
            elif fixed.text == word:
                counts["right"] += 1
            else:
                counts["wrong"] += 1
                wrong.add((typed, fixed.text, word))
    total = sum(counts.values())
    print(
        f"{len(words)} words, {total} typos: {counts['right']} right, {counts['wrong']} wrong, "
        f"{counts['unchanged']} unchanged"
    )
    for typed, got, meant in sorted(wrong):
        print(f"  {typed} -> {got} (meant {meant})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
