"""What the terminal study view prints: LaTeX as characters, review times in local time, an exam today."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timezone

import pytest

from assistant.study.cli import format_card, local_time
from assistant.study.progress import SectionStats, format_table


def test_a_card_shows_latex_as_characters() -> None:
    from assistant.study.cards import StudyCard

    card = StudyCard("q1", "Diffusion", "what does $\\omega$ do?", "", (196,), (), 0)
    assert "what does ω do?" in format_card(card) and "$" not in format_card(card)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")
def test_review_times_are_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+05:30, no daylight saving
    time.tzset()
    try:
        assert local_time(datetime(2026, 12, 6, 20, 0, tzinfo=timezone.utc)) == "2026-12-07 01:30"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None


def test_an_exam_today_is_today_not_passed() -> None:
    rows = [SectionStats("GANs", 3, 3, 0, None)]
    today = date(2026, 12, 6)
    assert "exam on 2026-12-06: today, " in format_table(rows, today, today)
    assert "the date has passed" in format_table(rows, date(2026, 12, 5), today)
