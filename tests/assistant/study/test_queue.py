"""The queue (due first, filters, exam date) and the per-section numbers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from assistant.study.cards import StudyCard
from assistant.study.progress import format_table, section_stats, totals
from assistant.study.queue import Filters, order
from assistant.study.schedule import Study

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
STUDY = Study(fuzz=False)


def deck() -> list[StudyCard]:
    cards = []
    for i, (section, marker) in enumerate([("A", "*"), ("A", ""), ("A", "-"), ("B", "*"), ("B", ""), ("C", "")]):
        cards.append(StudyCard(f"q{i}", section, f"question {i}", marker, (i + 1,), (), i))
    return cards


def reviewed(grades: dict[str, str], at: datetime = T0) -> dict:
    return {qid: STUDY.review(STUDY.new(at), grade, at) for qid, grade in grades.items()}


def test_due_reviews_come_before_new_cards_and_scheduled_ones_wait() -> None:
    cards = deck()
    memories = reviewed({"q0": "good", "q3": "again"})
    now = T0 + timedelta(minutes=5)  # q3 (again: 1 min) is due, q0 (good: 10 min) is not
    assert [c.qid for c in order(cards, memories, now, STUDY)] == ["q3", "q1", "q2", "q4", "q5"]
    assert [c.qid for c in order(cards, memories, now, STUDY, Filters(due_only=False))][-1] == "q0"


def test_filters_by_section_and_mark() -> None:
    cards = deck()
    assert [c.qid for c in order(cards, {}, T0, STUDY, Filters(section="A"))] == ["q0", "q1", "q2"]
    assert [c.qid for c in order(cards, {}, T0, STUDY, Filters(mark="*"))] == ["q0", "q3"]
    assert [c.qid for c in order(cards, {}, T0, STUDY, Filters(mark=""))] == ["q1", "q4", "q5"]


def test_with_an_exam_date_the_weakest_section_comes_first() -> None:
    cards = deck()
    # Section A is well known, B half seen, C never seen: C first, then B, then A's due cards.
    memories = reviewed({"q0": "easy", "q1": "easy", "q2": "easy", "q3": "easy"}, T0 - timedelta(days=30))
    now = T0
    queue = order(cards, memories, now, STUDY, exam=date(2025, 3, 20))
    sections = [c.section for c in queue]
    assert sections[0] == "C" and sections.index("B") < (sections.index("A") if "A" in sections else len(sections))
    # The same cards without the date: due reviews first, by due time, then the new ones.
    plain = order(cards, memories, now, STUDY)
    assert {c.qid for c in plain} == {c.qid for c in queue}
    assert plain[-1].qid in {"q4", "q5"} and queue[0].qid == "q5"


def test_a_past_exam_date_is_ignored() -> None:
    cards = deck()
    assert order(cards, {}, T0, STUDY, exam=date(2025, 2, 1)) == order(cards, {}, T0, STUDY)


def test_section_stats_count_cards_due_reviewed_and_recall() -> None:
    cards = deck()
    memories = reviewed({"q0": "good", "q1": "again", "q3": "easy"})
    rows = section_stats(cards, memories, T0 + timedelta(minutes=5), STUDY)
    by = {r.section: r for r in rows}
    assert [r.section for r in rows] == ["A", "B", "C"]
    assert (by["A"].cards, by["A"].due, by["A"].reviewed) == (3, 2, 2)  # q1 (again) and new q2 are due
    assert (by["C"].cards, by["C"].due, by["C"].reviewed, by["C"].retrievability) == (1, 1, 0, None)
    assert 0.0 < by["A"].retrievability <= 1.0
    total = totals(rows)
    assert (total.cards, total.reviewed) == (6, 3)
    table = format_table(rows, date(2025, 3, 11), date(2025, 3, 1))
    assert "all sections" in table and "10 day(s) left, 3 card(s) never seen" in table
