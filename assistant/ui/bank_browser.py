"""Browsing the question bank: its sections, and the questions a section and mark filter keep.

Pure functions over the parsed bank; the web view renders what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from assistant.bank.parse import Question

ALL_SECTIONS = "All sections"
MARK_FILTERS = ("all questions", "marked *", "marked -", "unmarked")
_WANTED_MARK = {"marked *": "*", "marked -": "-", "unmarked": ""}  # "all questions": no filter


class Section(NamedTuple):
    name: str
    questions: tuple[Question, ...]


def section_names(bank: Sequence[Question]) -> list[str]:
    """Section names in bank order."""
    return list(dict.fromkeys(q.section for q in bank))


def bank_count(bank: Sequence[Question]) -> str:
    """The bank's size as the header and the Study tab say it. A section heading that cites slides
    (``#### scaling laws (125)``) is a bank line, and votes in search, but it is a topic, not a
    question: it is no study card. Saying so explains 183 bank lines against 182 cards."""
    topics = sum(q.heading for q in bank)
    questions = f"{len(bank) - topics} bank questions (study cards)"
    if not topics:
        return questions
    return f"{questions} + {topics} section heading{'s' if topics > 1 else ''} citing slides ({len(bank)} bank lines; a heading is a topic, not a card)"


def section_choices(bank: Sequence[Question]) -> list[tuple[str, str]]:
    """(label with its question count, value) for a section dropdown, ``ALL_SECTIONS`` first."""
    counts: dict[str, int] = {}
    for q in bank:
        counts[q.section] = counts.get(q.section, 0) + 1
    return [(f"{ALL_SECTIONS} ({len(bank)})", ALL_SECTIONS)] + [(f"{s} ({counts[s]})", s) for s in section_names(bank)]


def filter_bank(bank: Sequence[Question], section: str = ALL_SECTIONS, marks: str = MARK_FILTERS[0]) -> list[Section]:
    """The sections (in bank order) and their questions that pass both filters; empty sections dropped.
    An unknown ``marks`` value filters nothing, an unknown section keeps nothing."""
    wanted = _WANTED_MARK.get(marks)
    kept: list[Section] = []
    for name in section_names(bank):
        if section not in (ALL_SECTIONS, name):
            continue
        questions = tuple(q for q in bank if q.section == name and (wanted is None or q.marker == wanted))
        if questions:
            kept.append(Section(name, questions))
    return kept
