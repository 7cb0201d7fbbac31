"""Exam dates as students type them, and the pace an exam date asks for."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.study.dates import exam_pace, parse_exam_date
from index.errors import InputError

DEC_20 = date(2026, 12, 20)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-20",
        "20/12/2026",
        "20.12.2026",
        "20-12-2026",
        " 20/12/2026 ",
        "12/20/2026",  # month first, readable only one way
        "Dec 20 2026",
        "dec 20, 2026",
        "December 20, 2026",
        "20 Dec 2026",
        "20 december 2026",
    ],
)
def test_common_forms_read_as_the_same_day(text: str) -> None:
    assert parse_exam_date(text) == DEC_20


def test_an_ambiguous_numeric_date_is_day_first() -> None:
    assert parse_exam_date("05/06/2026") == date(2026, 6, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2026", "not a day of the calendar"),
        ("2026-13-01", "not a day of the calendar"),
        ("next friday", "write it as 20/12/2026"),
        ("20/12/26", "write it as 20/12/2026"),
        ("Dex 20 2026", "write it as 20/12/2026"),
        ("20 Dec 2026 10:00", "write it as 20/12/2026"),
    ],
)
def test_anything_else_says_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_exam_date(text)


def test_the_pace_is_new_cards_a_day_rounded_up() -> None:
    pace = exam_pace(DEC_20, date(2026, 12, 6), 100)
    assert (pace.days, pace.unseen, pace.per_day) == (14, 100, 8)
    assert "14 day(s) left, 100 card(s) never seen: about 8 new card(s) a day" in pace.sentence()
    assert "the exam is today" in exam_pace(DEC_20, DEC_20, 3).sentence()
    assert "passed" in exam_pace(DEC_20, date(2026, 12, 21), 3).sentence()
    assert "every card seen" in exam_pace(DEC_20, date(2026, 12, 6), 0).sentence()
