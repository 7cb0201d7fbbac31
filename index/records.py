"""The core records every layer passes along."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slide:
    """One PDF page.

    ``number`` is the 1-based position in the concatenation of all ingested PDFs, in the order
    given: the numbering the question bank cites. ``deck`` is the PDF's file stem and ``page``
    the 1-based page inside that file. ``divider`` marks a slide that only announces a lecture
    ("Lecture 6" and the course's title page): numbered and shown, never ranked above content.
    """

    number: int
    deck: str
    page: int
    title: str
    text: str
    divider: bool = False

    @property
    def image_only(self) -> bool:
        """True when the page had no extractable text (a scan or a picture)."""
        return not self.text.strip()

    @property
    def where(self) -> str:
        return f"{self.deck} p.{self.page}"


@dataclass(frozen=True)
class Chunk:
    """A piece of one slide's text, ready to embed. A chunk never spans two slides.

    ``text`` is what gets embedded and indexed; it starts with the slide title so that a
    bullet keeps its topic. ``kind`` is ``"text"``, or ``"title"`` for the one extra chunk per
    slide that holds its title alone (titles name the topic, so they get their own say).
    """

    slide: int
    text: str
    kind: str = "text"
