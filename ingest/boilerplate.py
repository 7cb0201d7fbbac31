"""What a deck repeats is not content: running headers and footers, page counters, lecture dividers.

Everything here is decided from the deck's own statistics, never from a list of phrases:

- **boilerplate** (per PDF file): a line that, with its digits generalised ("3 / 20" and "4 / 20"
  are one line), stands on most pages of that file: a footer, a running title, a page counter.
  It is dropped from the slide's text, so it is neither indexed nor shown in a snippet;
- **divider**: a slide whose only content, boilerplate aside, is counter lines ("Lecture 6",
  "Week 2": short lines whose numbers change across pages far apart in the deck), lines that other
  such pages repeat (the course name, the lecturer), and at most one other line (the lecture's
  name). It keeps its number, but search never ranks it above a content slide.

Pure functions over page texts (already cleaned, one line of text per line).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable, Sequence

from index.records import Slide

MIN_PAGES = 4  # fewer pages give no statistics: nothing is boilerplate there
MOST = 0.5  # "most pages": a line on more than this share of a file's pages is boilerplate
COUNTER_WORDS = 4  # a counter line is short: "Lecture 6", "Week 2", "July 1, 2021"
COUNTER_GAP = 3  # pages between two uses of a counter: "Results (1)", "Results (2)" on neighbours are a title
_DIGITS = re.compile(r"\d+")
_WORDY = re.compile(r"[^\W\d_]{3,}")


def template(line: str) -> str:
    """The line with digits generalised and spacing and case ignored: "3 / 20" → "# / #"."""
    return " ".join(_DIGITS.sub("#", line).split()).casefold()


def find_boilerplate(pages: Sequence[str]) -> frozenset[str]:
    """Templates of the lines that stand on most of one file's pages."""
    if len(pages) < MIN_PAGES:
        return frozenset()
    counts: dict[str, int] = defaultdict(int)
    for text in pages:
        for t in {template(line) for line in text.splitlines() if line.strip()}:
            counts[t] += 1
    return frozenset(t for t, n in counts.items() if n > MOST * len(pages) and n >= 3)


def strip_boilerplate(text: str, boilerplate: frozenset[str]) -> str:
    """``text`` without its boilerplate lines.

    A numbered boilerplate line (a page counter) may also be glued to the end of the page's last
    line ("... for n≪d 6/11"): it is cut there too.
    """
    if not boilerplate:
        return text
    raw = text.splitlines()
    # The first line that could be a title is one: "Example 3" or "Topic 12" stays even when most
    # titles of the file share its form. Running titles (the same text on every page) and bare
    # counters ("3 / 20") before it are still dropped.
    title = next((i for i, line in enumerate(raw) if _could_be_title(line, boilerplate)), None)
    lines = [line for i, line in enumerate(raw) if i == title or template(line) not in boilerplate]
    numbered = [t for t in boilerplate if "#" in t]
    if lines and numbered:
        words = lines[-1].split()
        for t in numbered:
            size = len(t.split())
            if len(words) > size and template(" ".join(words[-size:])) == t:
                lines[-1] = " ".join(words[:-size])
                break
    return "\n".join(lines)


def _could_be_title(line: str, boilerplate: frozenset[str]) -> bool:
    """Not boilerplate, or a numbered line with words (a repeated title form, not a counter)."""
    shape = template(line)
    return bool(line.strip()) and (shape not in boilerplate or ("#" in shape and bool(_WORDY.search(line))))


def _counter_templates(slides: Sequence[Slide]) -> frozenset[str]:
    """Short numbered lines that come back with other numbers on pages far apart: "Lecture 6", "Lecture 7"."""
    seen: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for slide in slides:
        for line in set(slide.text.splitlines()):
            if _DIGITS.search(line) and _WORDY.search(line) and len(line.split()) <= COUNTER_WORDS:
                seen[template(line)].append((slide.number, line))
    out: set[str] = set()
    for t, uses in seen.items():
        numbers = sorted(n for n, _ in uses)
        spread = all(b - a >= COUNTER_GAP for a, b in zip(numbers, numbers[1:]))
        if len(uses) >= 2 and len({line for _, line in uses}) >= 2 and spread:
            out.add(t)
    return frozenset(out)


def find_dividers(slides: Sequence[Slide]) -> frozenset[int]:
    """Numbers of the divider slides (see the module doc)."""
    counters = _counter_templates(slides)
    if not counters:
        return frozenset()
    candidates = [s for s in slides if any(template(line) in counters for line in s.text.splitlines())]
    # Lines the candidate pages share: the course name and the lecturer on every title page.
    shared: dict[str, int] = defaultdict(int)
    for slide in candidates:
        for t in {template(line) for line in slide.text.splitlines()}:
            shared[t] += 1
    out: set[int] = set()
    for slide in candidates:
        own = [
            line for line in slide.text.splitlines() if template(line) not in counters and shared[template(line)] < 2
        ]
        if len(own) <= 1:
            out.add(slide.number)
    return frozenset(out)


def mark_dividers(slides: Iterable[Slide]) -> list[Slide]:
    """The slides with ``divider`` set from the whole deck's statistics (recomputed every ingest)."""
    import dataclasses

    slides = list(slides)
    dividers = find_dividers(slides)
    return [
        s if s.divider == (s.number in dividers) else dataclasses.replace(s, divider=s.number in dividers)
        for s in slides
    ]
