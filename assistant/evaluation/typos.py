"""Typo'd copies of the free-form question sets (``python -m assistant.evaluation.typos`` writes
them), and the eval's table of typo'd questions and of terms the slides never mention.

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
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from assistant.evaluation.retrieval import Query, format_table, free_form_queries, ranks, summarise

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Retriever

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


def absent_questions(path: Path) -> list[tuple[str, str]]:
    """``term<TAB>question`` per line: questions about a term the deck never contains."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            term, question = line.split("\t", 1)
            rows.append((term.strip(), question.strip()))
    return rows


def typo_report(
    retriever: Retriever, free: Sequence[Query], free_form: Path, bank: Sequence[Query] = ()
) -> tuple[str, dict]:
    """The free-form questions clean and with two typos each (``typos.py``), with the correction and
    without it, and how often a key term is said to be missing from the slides on questions they answer."""
    typo_file = typo_path(free_form)
    typod = free_form_queries(typo_file) if typo_file.is_file() else []
    if not free or not typod:
        return "", {}
    plain = retriever.with_settings(spelling=False)
    rows = [
        summarise("free-form", ranks(retriever, free)),
        summarise("free-form, 2 typos each", ranks(retriever, typod)),
        summarise("  the same, not corrected", ranks(plain, typod)),
    ]
    corrected = sum(retriever.read(q.text).corrected is not None for q in typod)
    absent_file = free_form.with_name(free_form.name.replace("free_form", "absent_terms"))
    absent = absent_questions(absent_file) if absent_file != free_form and absent_file.is_file() else []
    found = [bool(retriever.read(question).unknown) for _, question in absent]
    said = [
        (name, sum(bool(retriever.read(q.text).unknown) for q in queries), len(queries))
        for name, queries in (("free-form", free), ("free-form with typos", typod), ("bank questions", bank))
        if queries
    ]
    lines = [
        format_table(f"Typed with typos ({typo_file.name}), fused", rows, width=28),
        f"Questions corrected: {corrected} of {len(typod)} with typos, "
        f"{sum(retriever.read(q.text).corrected is not None for q in free)} of {len(free)} without.",
        "A key term said to be missing from the slides, on questions the slides answer: "
        + ", ".join(f"{k} of {n} {name}" for name, k, n in said)
        + ".",
    ]
    if absent:
        lines.append(
            f"Said on questions about a term the deck's text never contains ({absent_file.name}): "
            f"{sum(found)} of {len(absent)}; not said for: {', '.join(t for (t, _), f in zip(absent, found) if not f) or 'none'}."
        )
    data = {
        "rows": [asdict(r) for r in rows],
        "corrected": {"typos": corrected, "clean": sum(retriever.read(q.text).corrected is not None for q in free)},
        "unknown_term_false_alarms": {name: [k, n] for name, k, n in said},
        "unknown_term_said_on_absent_terms": [sum(found), len(absent)],
    }
    return "\n".join(lines), data


def main() -> int:
    for name in SETS:
        source = DATA / name
        typo_path(source).write_text(typo_set(source.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {typo_path(source)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
