"""Leave-one-out, which every accuracy floor rests on: a question excluded from the bank is ranked as
if its references had never been written. Two banks differ only in the references of one question;
a leak of those references would change its ranking, so excluded, it must be the same in both."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval import adapter
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.retriever import Retriever

QUESTION = "what is the query of an attention layer?"
BANK = """\
## **Leak bank**

### optimisation

- formulate SGD with momentum (2)
- what does the learning rate decide? (1)
- explain self attention and its softmax (3)
- {question} ({refs})

### diffusion

- formulate the denoiser in the Classifier-Free Guidance scenario (4)
- explain kmeans (6)
"""
# Only one signal may carry the references each time, so that each guard is tested on its own.
ONLY = {
    "adapter": {"bank_weight": 0.0, "section_weight": 0.0},
    "section prior": {"query_adapter": False, "bank_weight": 0.0},
    "bank votes": {"query_adapter": False, "section_weight": 0.0, "bank_min_similarity": 0.0},
    "all signals": {},
}


def _banks(tmp_path: Path, hash_index: Path) -> tuple[Retriever, Retriever]:
    """The question cites its own slide (3) in one bank and the k-means slide (6) in the other."""
    out = []
    for refs in ("3", "6"):
        path = tmp_path / f"bank-{refs}.md"
        path.write_text(BANK.format(question=QUESTION, refs=refs), encoding="utf-8")
        out.append(open_retriever(hash_index, path)[0])
    return out[0], out[1]


def _scores(retriever: Retriever, exclude: tuple[str, ...]) -> dict[int, float]:
    ranking = retriever.ranking(QUESTION, exclude=exclude, section="optimisation")
    return dict(zip(ranking.numbers.tolist(), ranking.scores.tolist()))


@pytest.mark.parametrize("signal", list(ONLY))
def test_an_excluded_questions_references_never_reach_its_ranking(
    tmp_path: Path, hash_index: Path, signal: str
) -> None:
    own, leaky = (r.with_settings(**ONLY[signal]) for r in _banks(tmp_path, hash_index))
    [question] = [q for q in own.bank if q.text.startswith(QUESTION[:-1])]
    # Not excluded, the references change the scores: a leak would be visible.
    seen_own, seen_leaky = _scores(own, ()), _scores(leaky, ())
    assert seen_own.keys() == seen_leaky.keys() and not np.allclose(
        [seen_own[n] for n in seen_own], [seen_leaky[n] for n in seen_own]
    )
    # Excluded, they do not.
    assert _scores(own, (question.id,)) == _scores(leaky, (question.id,))


def test_the_adapter_for_an_excluded_question_is_trained_without_it(
    tmp_path: Path, hash_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    retriever, _ = _banks(tmp_path, hash_index)
    trained_on: list[list[str]] = []
    real = adapter.training_set

    def recorded(questions, *args, **kwargs):
        trained_on.append([q.id for q in questions])
        return real(questions, *args, **kwargs)

    monkeypatch.setattr(adapter, "training_set", recorded)
    cited = adapter.cited(retriever.bank, 6)
    folds = adapter.fold_of(retriever.bank, 6)
    [question] = [q for q in cited if q.text.startswith(QUESTION[:-1])]
    retriever.adapter_for()
    retriever.adapter_for([question.id])
    full, held_out = trained_on
    assert full == [q.id for q in cited]
    assert question.id not in held_out
    assert held_out == [q.id for q in cited if folds[q.id] != folds[question.id]]
