"""The FSRS wiring, with the clock injected: nothing here reads the wall clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from assistant.study.queue import is_due
from assistant.study.schedule import Study, parse_grade

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_a_card_graded_good_is_not_due_until_its_interval_has_passed() -> None:
    study = Study(fuzz=False)
    memory = study.review(study.new(T0), "good", T0)
    interval = memory.due - T0
    assert interval > timedelta(0)
    assert not is_due(memory, T0)
    assert not is_due(memory, T0 + interval - timedelta(seconds=1))
    assert is_due(memory, T0 + interval)


def test_good_again_after_the_interval_pushes_the_card_further_out() -> None:
    study = Study(fuzz=False)
    first = study.review(study.new(T0), "good", T0)
    second = study.review(first, "good", first.due)
    third = study.review(second, "good", second.due)
    assert (third.due - second.due) > (second.due - first.due) > timedelta(0)


def test_again_comes_back_sooner_than_easy() -> None:
    study = Study(fuzz=False)
    card = study.new(T0)
    assert study.review(card, "again", T0).due < study.review(card, "good", T0).due < study.review(card, "easy", T0).due


def test_retrievability_falls_with_time_and_is_zero_for_new_cards() -> None:
    study = Study(fuzz=False)
    assert study.retrievability(None, T0) == 0.0
    assert study.retrievability(study.new(T0), T0) == 0.0
    memory = study.review(study.new(T0), "easy", T0)
    soon, later = (
        study.retrievability(memory, T0 + timedelta(days=1)),
        study.retrievability(memory, T0 + timedelta(days=60)),
    )
    assert 1.0 >= soon > later > 0.0


def test_naive_times_are_taken_as_utc() -> None:
    study = Study(fuzz=False)
    naive = T0.replace(tzinfo=None)
    assert study.review(study.new(naive), "good", naive).due == study.review(study.new(T0), "good", T0).due


@pytest.mark.parametrize(("text", "grade"), [("good", "good"), ("Easy", "easy"), ("1", "again"), (" 2 ", "hard")])
def test_grades_by_word_or_key(text: str, grade: str) -> None:
    assert parse_grade(text) == grade


def test_an_unknown_grade_names_the_choices() -> None:
    with pytest.raises(ValueError, match="again, hard, good or easy"):
        parse_grade("great")
