"""Grouped results: the topic of the top slide from the deck alone, the adaptive cut and the roles,
pure and wired to a retriever. A tiny generated deck with the hash embedder; no model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.grouping import (
    CutRule,
    DeckTopics,
    arrange,
    deck_topics,
    shown,
    shown_count,
    title_stems,
    topic_span,
)
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.results import WEAK_NOTICE, grouped_search, is_weak
from assistant.ui.terminal import format_grouped
from index.records import Slide
from tests.support.decks import BUILD_QUERY, LECTURE, lecture_index


def _slides(titles: list[str], deck: str = "d") -> list[Slide]:
    return [Slide(i, deck, i, t, f"{t}\nbody") for i, t in enumerate(titles, start=1)]


def _topics(slides: list[Slide], vectors: np.ndarray | None = None) -> DeckTopics:
    # Orthogonal vectors by default: no two slides alike, so only titles and sections join slides.
    return deck_topics(slides, np.eye(len(slides), dtype=np.float32) if vectors is None else vectors)


def test_title_stems_strip_numbering_and_keep_a_named_lead() -> None:
    assert title_stems("Self-attention layers (2)") == {"self-attention layers"}
    assert title_stems("Diffusion Models in Practice - Sampling") == {
        "diffusion models in practice - sampling",
        "diffusion models in practice",
    }
    assert title_stems("Example: Image-to-Image") == {"example: image-to-image"}  # "Example" names no topic
    assert title_stems("") == frozenset()


def test_sections_start_at_lecture_openers_repeated_course_titles_and_new_pdfs() -> None:
    slides = _slides(["My Course", "Intro", "Week 2: Models", "Details", "My Course:", "More"]) + [
        Slide(7, "other", 1, "Start", "x")
    ]
    assert _topics(slides).sections == (0, 0, 1, 1, 2, 2, 3)


def test_topic_follows_continued_titles_and_stops_at_a_section() -> None:
    topics = _topics(_slides([t for t, _ in LECTURE]))
    assert topic_span(topics, 3, CutRule(reach=2)) == (2, 4)  # a build: (2) and (3) continue it
    assert topic_span(topics, 3, CutRule(reach=1)) == (2, 4)
    assert topic_span(topics, 2, CutRule(reach=1)) == (2, 3)  # the reach caps each side
    assert topic_span(topics, 7, CutRule(reach=2)) == (7, 8)  # never back over "Week 2: ..."
    assert topic_span(topics, 5, CutRule(reach=2)) == (5, 5)  # an unrelated title, an unlike text


def test_topic_takes_neighbours_as_alike_as_the_deck_usually_is() -> None:
    # Slides 1-3 share a direction, 4 is orthogonal, 5 is the opposite of 4: adjacent cosines 1, 1, 0, -1.
    v = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, -1]], dtype=np.float32)
    topics = _topics(_slides(["a", "b", "c", "d", "e"]), v)
    assert topic_span(topics, 2, CutRule(reach=3, topic_percentile=50)) == (1, 3)
    assert topic_span(topics, 4, CutRule(reach=3, topic_percentile=50)) == (4, 4)
    image_only = np.array([[1, 0], [0, 0], [1, 0]], dtype=np.float32)  # no text: nothing says it belongs
    assert topic_span(_topics(_slides(["a", "b", "c"]), image_only), 1, CutRule(reach=2, topic_percentile=0)) == (1, 1)


def test_cut_keeps_results_close_to_the_top_and_always_one() -> None:
    rule = CutRule(keep=0.75, max_hits=3)
    assert shown_count([10.0, 8.0, 7.6, 7.5], rule) == 3  # 7.5 passes too, but max_hits caps it
    assert shown_count([10.0, 8.0, 7.0, 6.9], rule) == 2
    assert shown_count([10.0, 2.0], rule) == 1
    assert shown_count([-1.0, -1.0], rule) == 1  # a non-positive top: show it alone
    assert shown_count([], rule) == 0


def test_arrange_puts_the_topic_first_with_roles_and_the_rest_below() -> None:
    topics = _topics(_slides([t for t, _ in LECTURE]))
    numbers, scores = [3, 7, 5, 8, 1], [10.0, 8.0, 3.0, 2.0, 1.0]
    groups = arrange(numbers, scores, topics, CutRule(keep=0.75, reach=2, depth=4))
    assert [g.id for g in groups] == ["2-4", "7", "5", "8"]
    top = groups[0]
    assert [(s.number, s.role) for s in top.slides] == [(2, "context"), (3, "hit"), (4, "context")]
    assert all(s.group == "2-4" for s in top.slides)
    assert [g.role for g in groups] == ["hit", "hit", "more", "more"]
    assert [s.number for s in shown(groups)] == [2, 3, 4, 7]
    assert np.isnan(top.slides[0].score)  # not in the ranking given: no score is made up


def test_arrange_with_k_returns_exactly_k_in_their_groups() -> None:
    topics = _topics(_slides([t for t, _ in LECTURE]))
    numbers, scores = [3, 7, 4, 1, 8, 5], [10.0, 9.0, 8.0, 1.0, 0.5, 0.2]
    for k in (1, 3, 5):
        groups = arrange(numbers, scores, topics, CutRule(keep=0.75), k=k)
        placed = sorted(s.number for g in groups for s in g.slides)
        assert placed == sorted(numbers[:k])
        assert all(s.role in ("hit", "more") for g in groups for s in g.slides)  # nothing added
    roles = {s.number: s.role for g in arrange(numbers, scores, topics, CutRule(keep=0.75), k=5) for s in g.slides}
    assert roles == {3: "hit", 7: "hit", 4: "hit", 1: "more", 8: "more"}


# -- wired to a retriever ------------------------------------------------------------------------------


@pytest.fixture()
def lecture(tmp_path: Path) -> Path:
    return lecture_index(tmp_path)


def test_grouped_search_shows_the_build_of_the_top_slide(lecture: Path, bank_file: Path) -> None:
    retriever, _ = open_retriever(lecture, bank_file)
    found = grouped_search(retriever, BUILD_QUERY)
    first = found.shown_groups[0]
    roles = {s.number: s.role for s in first.slides}
    assert roles[3] == "hit" and {2, 4} <= set(roles) and first.last < 6  # the build, not the next lecture
    assert [h.slide.number for h in found.hits(first)] == list(range(first.first, first.last + 1))


def test_an_explicit_k_is_exactly_the_ranked_list(lecture: Path, bank_file: Path) -> None:
    retriever, _ = open_retriever(lecture, bank_file)
    for k in (1, 4, 8):
        exact = grouped_search(retriever, BUILD_QUERY, k=k)
        assert [(h.slide.number, h.score) for h in exact.result.slides] == [
            (h.slide.number, h.score) for h in retriever.search(BUILD_QUERY, k=k).slides
        ]
        assert sorted(s.number for g in exact.groups for s in g.slides) == sorted(
            h.slide.number for h in exact.result.slides
        )


def test_weak_match_is_said_above_the_cards(lecture: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.retrieval import results
    from assistant.retrieval.confidence import calibrate, query_confidence

    retriever, _ = open_retriever(lecture, bank_file)
    query = "nearest centroid"
    confidence = query_confidence(retriever, query)
    threshold = calibrate(retriever)
    assert confidence is not None and threshold is not None
    # The answer abstention's own threshold decides; here it is moved to either side of this query.
    assert is_weak(retriever, query) == (confidence < threshold)
    monkeypatch.setattr(results, "abstention_threshold", lambda r: confidence + 0.01)
    assert is_weak(retriever, query)
    assert format_grouped(grouped_search(retriever, query)).startswith(WEAK_NOTICE)
    monkeypatch.setattr(results, "abstention_threshold", lambda r: confidence - 0.01)
    assert WEAK_NOTICE not in format_grouped(grouped_search(retriever, query))
