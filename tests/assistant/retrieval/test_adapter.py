"""The query adapter: a NumPy trainer that moves query vectors onto the slides they should find."""

from pathlib import Path

import numpy as np

from assistant.bank.parse import Question
from assistant.retrieval import adapter
from assistant.retrieval.loading import open_retriever
from index.settings import default_settings


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_training_moves_queries_onto_their_slides_and_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    slides = _unit(rng.normal(size=(12, 16)))
    # Each query sits nearer the wrong slide (i + 1) than its own (i): the adapter has to learn the map.
    queries = _unit(0.4 * slides[:8] + 0.9 * slides[1:9] + 0.05 * rng.normal(size=(8, 16)))
    targets = tuple((i + 1,) for i in range(8))
    data = adapter.TrainingSet(queries, targets)
    before = sum(int(np.argmax(slides @ q)) == i for i, q in enumerate(queries))
    w = adapter.train(data, slides, adapter.AdapterSettings(epochs=300, learning_rate=1e-2, l2=1e-4))
    after = sum(int(np.argmax(slides @ adapter.apply(w, q))) == i for i, q in enumerate(queries))
    assert before == 0 and after == 8
    assert w.shape == (16, 16) and w.dtype == np.float32
    assert np.array_equal(
        w, adapter.train(data, slides, adapter.AdapterSettings(epochs=300, learning_rate=1e-2, l2=1e-4))
    )
    assert abs(float(np.linalg.norm(adapter.apply(w, queries[0]))) - 1.0) < 1e-5


def test_folds_cover_cited_questions_only() -> None:
    bank = [Question(f"q{i}", "s", None, f"question {i}", (i + 1,) if i != 3 else ()) for i in range(8)]
    bank.append(Question("far", "s", None, "cites a slide that is not there", (99,)))
    folds = adapter.fold_of(bank, n_slides=10)
    assert set(folds) == {"q0", "q1", "q2", "q4", "q5", "q6", "q7"}
    assert [folds[q] for q in ("q0", "q1", "q2", "q4", "q5", "q6")] == [0, 1, 2, 3, 4, 0]


def test_an_excluded_question_is_ranked_by_an_adapter_trained_without_it(
    hash_index: Path, bank_file: Path, tmp_path: Path
) -> None:
    user = default_settings(tmp_path)  # the cache folder: tmp_path / "cache"
    retriever, _ = open_retriever(hash_index, bank_file, user=user)
    cited = adapter.cited(retriever.bank, 6)
    full = retriever.adapter_for()
    own = retriever.adapter_for([cited[0].id])
    assert full is not None and own is not None and not np.array_equal(full, own)
    assert retriever.adapter_for([cited[0].id]) is own  # trained once per fold, then remembered
    assert retriever.with_settings(query_adapter=False).adapter_for() is None
    # A second retriever finds the trained adapters in the on-disk cache.
    again, _ = open_retriever(hash_index, bank_file, user=user)
    assert np.array_equal(again.adapter_for(), full)
    assert any(p.name.startswith("adapter-") for p in (tmp_path / "cache").iterdir())


def test_nothing_to_learn_from_gives_the_identity_map() -> None:
    empty = adapter.training_set([], np.zeros((0, 4), np.float32), [], np.zeros((0, 4), np.float32))
    w = adapter.train(empty, np.eye(4))
    assert not w.any() and np.allclose(adapter.apply(w, np.array([0.6, 0.8, 0.0, 0.0])), [0.6, 0.8, 0.0, 0.0])
