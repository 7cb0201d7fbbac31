"""Does a question bank belong to this deck? The verdict ingest records in the index.

A bank written for one course cites that course's slide numbers, and its sections name topics
that the slides it cites are titled with. Another course's bank cites slides beyond the deck's
end, and where its numbers do land, the titles there have nothing to do with its sections. Two
measures, both from the bank and the deck alone:

- references inside the deck: the share of cited slide numbers that exist here;
- sections that agree: the share of sections whose name shares a word with a slide title in the
  span that the section's questions cite. Only sections that cite a slide here and whose name
  shares a word with some title of the deck are counted: "Exam 2021" says nothing either way.

The bank fits when most references exist here and at least half of the sections agree. A bank
that cites nothing gives nothing to check and fits. The verdict is recorded in the manifest's
``extras["bank_fit"]`` with the bank's content hash: it applies to that bank only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping, Sequence

from index.lexical import tokenize
from index.records import Slide

MIN_REFS_INSIDE = 0.9  # a few typos are not another course
MIN_SECTIONS_AGREEING = 0.5
EXTRAS_KEY = "bank_fit"


@dataclass(frozen=True)
class BankCitations:
    """What the check needs of a bank: its name, content hash, and each section's cited slides."""

    name: str
    sha256: str
    sections: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class BankFit:
    bank: str
    sha256: str
    fits: bool
    refs: int
    refs_inside: int
    sections: int  # sections that can be checked: citing a slide here, named with a word some title uses
    sections_agreeing: int
    slides: int

    @property
    def evidence(self) -> str:
        """The measures behind the verdict, in words."""
        if not self.refs:
            return "it cites no slides"
        beyond = self.refs - self.refs_inside
        where = (
            f"{beyond} of its {self.refs} slide references are beyond the last slide {self.slides}"
            if beyond
            else f"all {self.refs} slide references exist"
        )
        if not self.sections:
            return f"{where}; no section names a topic these slides are titled with"
        return f"{where}; {self.sections_agreeing} of {self.sections} checkable sections name what the slides they cite are titled"

    @property
    def summary(self) -> str:
        """One line for the user."""
        verdict = "fits" if self.fits else "does not fit"
        return f"the question bank {self.bank} {verdict} these slides ({self.evidence})"

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _words(text: str) -> set[str]:
    return {w for w in tokenize(text) if w.isalpha() and len(w) >= 3}


def check_fit(bank: BankCitations, slides: Sequence[Slide]) -> BankFit:
    n = len(slides)
    refs = [r for _, cited in bank.sections for r in cited]
    inside = sum(1 for r in refs if 1 <= r <= n)
    sections = agreeing = 0
    every_title = set().union(*(_words(s.title) for s in slides))
    for name, cited in bank.sections:
        here = [r for r in cited if 1 <= r <= n]
        if not here or not _words(name) & every_title:
            continue
        sections += 1
        titles = set().union(*(_words(s.title) for s in slides[min(here) - 1 : max(here)]))
        agreeing += bool(_words(name) & titles)
    fits = not refs or (
        inside >= MIN_REFS_INSIDE * len(refs) and (not sections or agreeing >= MIN_SECTIONS_AGREEING * sections)
    )
    return BankFit(bank.name, bank.sha256, fits, len(refs), inside, sections, agreeing, n)


def recorded_fit(extras: Mapping[str, object]) -> BankFit | None:
    """The verdict an index records, or None (none recorded, or unreadable: then nothing is switched off)."""
    raw = extras.get(EXTRAS_KEY) if isinstance(extras, Mapping) else None
    if not isinstance(raw, Mapping):
        return None
    try:
        return BankFit(**raw)
    except TypeError:
        return None
