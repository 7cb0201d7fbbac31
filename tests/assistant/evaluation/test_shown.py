"""The shown-results table's scoring: cards near a labelled slide, and how the cut rule is picked."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.evaluation.shown import Ranked, after, before, cross_validated, fixed_page, page_score, pick_rule
from assistant.retrieval.grouping import CutRule, deck_topics
from index.records import Slide


def test_shown_scores_count_cards_near_a_labelled_slide() -> None:
    assert fixed_page([5, 20, 6, 40, 41, 90], k=5) == [[5, 6], [20], [40, 41]]
    page = page_score([[5, 6], [20], [40, 41]], relevant=(7,))
    assert page.cards == 5 and page.precision == pytest.approx(2 / 5) and not page.recall
    assert page.first_precision == 1.0 and not page.first_recall
    assert page_score([[7]], relevant=(7,)).recall


def test_rule_is_picked_for_precision_at_no_loss_of_recall() -> None:
    slides = [Slide(i, "d", i, f"t{i}", f"t{i}\nbody") for i in range(1, 31)]
    topics = deck_topics(slides, np.eye(30, dtype=np.float32))
    # The answer is always the top; a second result near it half the time, far away otherwise.
    queries = [Ranked((10, 11 if i % 2 else 25, 26), (10.0, 7.0, 2.0), (10,)) for i in range(10)]
    wide, narrow = CutRule(keep=0.5, reach=0), CutRule(keep=0.9, reach=0)
    table = {rule: after(queries, topics, rule) for rule in (wide, narrow)}
    assert pick_rule(table, before(queries), range(10), default=wide) == narrow
    pages, chosen, whole = cross_validated(queries, topics, CutRule(reach=0))
    assert len(pages) == 10 and len(chosen) == 5 and whole.keep > 0.7
