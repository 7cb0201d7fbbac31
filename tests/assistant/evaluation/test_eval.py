"""The eval's own machinery on the tiny index: ranks, cross-validated weights, the clicked context."""

from pathlib import Path

import pytest

from assistant.evaluation.retrieval import (
    FOLDS,
    WEIGHT_GRID,
    bank_queries,
    cross_validated,
    first_hit_rank,
    latency_ms,
    summarise,
)
from assistant.retrieval.loading import open_retriever


def test_first_hit_rank_and_summary() -> None:
    assert first_hit_rank([5, 3, 9], (9, 3)) == 2
    assert first_hit_rank([5], (1,)) is None
    s = summarise("x", [1, 4, None, 2])
    assert s.hit[1] == 0.25 and s.hit[5] == 0.75 and abs(s.mrr - (1 + 0.25 + 0.5) / 4) < 1e-9


def test_clicked_queries_carry_section_and_parent_typed_ones_do_not(hash_index: Path, bank_file: Path) -> None:
    retriever, _ = open_retriever(hash_index, bank_file)
    clicked = bank_queries(retriever)
    typed = bank_queries(retriever, with_section=False)
    assert [q.relevant for q in clicked] == [q.relevant for q in typed]
    assert all(q.section for q in clicked) and not any(q.section or q.context for q in typed)
    assert all(q.leave_out for q in clicked + typed)


def test_cross_validated_weights_come_from_the_grid(hash_index: Path, bank_file: Path) -> None:
    retriever, _ = open_retriever(hash_index, bank_file)
    queries = bank_queries(retriever)
    scores, chosen = cross_validated(retriever, queries)
    assert scores.queries == len(queries) and len(chosen) == FOLDS
    for point in chosen:
        assert set(point) == set(WEIGHT_GRID) and all(point[k] in WEIGHT_GRID[k] for k in point)
    # A fold with no training question to tell the grid points apart keeps the defaults.
    _, lonely = cross_validated(retriever, queries[:1])
    assert lonely[0] == {k: getattr(retriever.settings, k) for k in WEIGHT_GRID}


def test_latency_times_every_query_with_its_own_encoding(
    hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The latency figure is a new question's cost: each timed ranking encodes its query, none is memoised."""
    retriever, _ = open_retriever(hash_index, bank_file)
    queries = bank_queries(retriever, with_section=False)
    latency_ms(retriever, queries)  # adapters trained and imports done: only query encodings are left to count
    encoded: list[str] = []
    real = retriever.encoder.encode

    def counted(texts, **kwargs):
        encoded.extend(texts)
        return real(texts, **kwargs)

    monkeypatch.setattr(retriever.encoder, "encode", counted)
    once = latency_ms(retriever, queries)
    per_pass = len(encoded)
    twice = latency_ms(retriever, queries + queries)
    assert per_pass == len(queries) and len(encoded) == 3 * per_pass
    assert once > 0 and twice > 0
