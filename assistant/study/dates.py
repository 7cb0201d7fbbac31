"""Exam dates as students type them, and the pace an exam date asks for. Pure functions.

Accepted: ``2026-12-20`` (ISO), ``20/12/2026``, ``20.12.2026``, ``20-12-2026`` (day first, as most
of the world writes it; ``12/20/2026`` is read month first only because 20 cannot be a month),
and month names: ``Dec 20 2026``, ``20 December 2026``, ``December 20, 2026``. Anything else is
refused with a message that says what is expected, never read as some other day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from index.errors import InputError

EXPECTED = "write it as 20/12/2026, 2026-12-20, 20.12.2026 or Dec 20 2026"

_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_WORDS = re.compile(r"[a-z]+|\d+")


def parse_exam_date(text: str) -> date:
    """The date in ``text``; ``InputError`` (saying what is expected) when it is none of the forms above."""
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    try:
        if found := _ISO.fullmatch(cleaned):
            year, month, day = map(int, found.groups())
            return date(year, month, day)
        if found := _NUMERIC.fullmatch(cleaned):
            first, second, year = map(int, found.groups())
            day, month = (second, first) if second > 12 >= first else (first, second)
            return date(year, month, day)
        named = _named(cleaned)
        if named is not None:
            return named
    except ValueError:  # 31/02/2026: the right form, but no such day
        raise InputError(f"{text.strip()!r} is not a day of the calendar; {EXPECTED}") from None
    raise InputError(f"{text.strip()!r} is not a date this understands; {EXPECTED}")


def _named(cleaned: str) -> date | None:
    """``dec 20 2026`` / ``20 dec 2026`` (month by name, a 4-digit year last); None for other shapes."""
    words = _WORDS.findall(cleaned)
    if "".join(words) != cleaned.replace(" ", "") or len(words) != 3 or not re.fullmatch(r"\d{4}", words[2]):
        return None
    a, b, year = words
    if a in _MONTHS and b.isdigit():
        return date(int(year), _MONTHS[a], int(b))
    if b in _MONTHS and a.isdigit():
        return date(int(year), _MONTHS[b], int(a))
    return None


@dataclass(frozen=True)
class ExamPace:
    """What an exam date asks for: ``days`` left (0: today, negative: passed), cards never seen,
    and how many new cards a day see every card once before the exam (``--stats --exam``'s number)."""

    exam: date
    days: int
    unseen: int

    @property
    def per_day(self) -> int:
        return -(-self.unseen // self.days) if self.days > 0 else self.unseen

    def sentence(self) -> str:
        when = f"exam on {self.exam:%a %d %b %Y}"
        if self.days < 0:
            return f"{when}: the date has passed"
        if self.days == 0:
            return f"{when}: the exam is today ({self.unseen} card(s) never seen)"
        if not self.unseen:
            return f"{when}: {self.days} day(s) left, every card seen at least once: review what is due"
        return (
            f"{when}: {self.days} day(s) left, {self.unseen} card(s) never seen: "
            f"about {self.per_day} new card(s) a day to see them all before it"
        )


def exam_pace(exam: date, today: date, unseen: int) -> ExamPace:
    return ExamPace(exam, (exam - today).days, unseen)
