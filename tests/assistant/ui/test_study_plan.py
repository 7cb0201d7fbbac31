"""The Study tab's planning pieces: the exam box, the card count, Skip."""

from __future__ import annotations

from assistant.study.cards import cards_from_bank


def test_the_header_and_study_explain_a_cited_heading() -> None:
    from assistant.bank.parse import parse_bank
    from assistant.ui.bank_browser import bank_count

    bank = parse_bank("### scaling\n\n#### scaling laws (125)\n\n- where would you invest? (130)\n- why? (129)\n")
    assert len(bank) == 3
    assert bank_count(bank).startswith("2 bank questions (study cards) + 1 section heading citing slides")
    assert "a heading is a topic, not a card" in bank_count(bank)
    assert bank_count(bank[1:]) == "2 bank questions (study cards)"


def test_the_exam_box_gives_the_pace_or_what_is_expected() -> None:
    from datetime import date

    from assistant.ui.study_plan import exam_html, parse_exam

    assert parse_exam("20/12/2026") == date(2026, 12, 20) and parse_exam("soon") is None and parse_exam("") is None
    assert "about 5 new card(s) a day" in exam_html("20.12.2026", date(2026, 12, 10), 50)
    assert "Exam date not used" in exam_html("12/2026", date(2026, 12, 10), 50)
    assert exam_html("  ", date(2026, 12, 10), 50) == ""


def test_skipped_cards_leave_the_queue_until_the_page_is_reloaded() -> None:
    from assistant.bank.parse import parse_bank
    from assistant.ui.study_plan import not_skipped, with_skipped

    cards = cards_from_bank(parse_bank("### a\n\n- one (1)\n- two (2)\n- three (3)\n"))
    gone = with_skipped(frozenset(), cards[0].qid)
    assert [c.text for c in not_skipped(cards, gone)] == ["two", "three"]
    assert with_skipped(gone, None) == gone and not_skipped(cards, None) == list(cards)
