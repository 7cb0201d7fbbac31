"""Typo'd copies of the free-form question sets: ``python -m assistant.evaluation.typos`` writes them.

Each question gets ``TYPOS`` typos, each in a different long word (``MIN_LENGTH`` letters or more,
letters only, not an acronym), one edit each, as fast typing makes them: a letter dropped, two
neighbouring letters swapped, a letter doubled, or a letter changed to a neighbour on the keyboard.
The first letter is kept (people rarely miss it). Seeded, so the files are the same on every run;
a test checks that the committed files are what this writes.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SETS = ("free_form.tsv", "free_form_mml.tsv")
SEED = 25
TYPOS = 2
MIN_LENGTH = 6
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_WORD = re.compile(r"[A-Za-z]+")


def _neighbours(letter: str) -> str:
    """The letters next to ``letter`` on a QWERTY row."""
    for row in _ROWS:
        i = row.find(letter.lower())
        if i >= 0:
            return row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return "e"


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one edit past its first letter: drop, swap, double or change (to a keyboard neighbour).
    Never the word itself (a swap of two equal letters is tried again)."""
    while (out := _edit(word, rng)) == word:
        pass
    return out


def _edit(word: str, rng: random.Random) -> str:
    kind = rng.choice(("drop", "swap", "double", "change"))
    i = rng.randrange(1, len(word) - 1 if kind == "swap" else len(word))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "double":
        return word[: i + 1] + word[i] + word[i + 1 :]
    return word[:i] + rng.choice(_neighbours(word[i])) + word[i + 1 :]


def with_typos(question: str, rng: random.Random, n: int = TYPOS) -> str:
    """``question`` with ``n`` typos in ``n`` different long words (fewer when it has fewer)."""
    spans = [m.span() for m in _WORD.finditer(question) if len(m.group(0)) >= MIN_LENGTH and m.group(0)[1:].islower()]
    chosen = sorted(rng.sample(spans, min(n, len(spans))))
    out, last = [], 0
    for start, end in chosen:
        out += [question[last:start], typo(question[start:end], rng)]
        last = end
    return "".join(out) + question[last:]


def typo_set(text: str, seed: int = SEED) -> str:
    """A free-form TSV (``slides<TAB>question``) with each question typo'd; comments say what it is."""
    rng = random.Random(seed)
    lines = [
        "# The questions of the set below, each with two typos in long words (python -m assistant.evaluation.typos).",
    ]
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            refs, question = line.split("\t", 1)
            lines.append(f"{refs}\t{with_typos(question.strip(), rng)}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def typo_path(path: Path) -> Path:
    """Where the typo'd copy of a free-form set lives: ``free_form.tsv`` → ``free_form_typos.tsv``."""
    return path.with_name(f"{path.stem}_typos{path.suffix}")


def main() -> int:
    for name in SETS:
        source = DATA / name
        typo_path(source).write_text(typo_set(source.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {typo_path(source)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
