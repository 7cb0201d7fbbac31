from pathlib import Path

import numpy as np
import pytest

from assistant.bank.parse import load_bank
from assistant.retrieval.fusion import Ranking, fuse_rrf, to_ranking, zscore
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.normalize import expand_acronyms, latex_to_words, learn_acronyms
from assistant.retrieval.retriever import Retriever, prepare_query
from index.embedder import HashEmbedder
from index.records import Slide


def _ranking(*numbers: int) -> Ranking:
    return Ranking(np.array(numbers, dtype=np.int64), np.linspace(1, 0, len(numbers)).astype(np.float32))


def test_rrf_rewards_agreement() -> None:
    fused = to_ranking(fuse_rrf([(_ranking(1, 2, 3), 1.0), (_ranking(3, 2, 9), 1.0)], 10, rrf_k=60))
    assert fused.numbers.tolist()[:2] == [3, 2]  # 1/61 + 1/63 beats 2/62
    assert set(fused.numbers.tolist()) == {1, 2, 3, 9}


def test_zscore_and_ranking_conventions() -> None:
    z = zscore(np.array([1.0, 3.0, -np.inf]))
    assert z.tolist() == [-1.0, 1.0, -3.0]
    r = to_ranking(np.array([0.5, -np.inf, 0.5, 0.0]), positive_only=True)
    assert r.numbers.tolist() == [1, 3]  # ties by slide number; zero and unranked dropped


def test_search_finds_the_slide_and_the_bank_question(hash_index: Path, bank_file: Path) -> None:
    retriever, notices = open_retriever(hash_index, bank_file)
    assert notices == ()
    result = retriever.search("momentum previous steps", k=3)
    assert result.slides[0].slide.number == 2
    assert result.bank[0].question.text == "formulate SGD with momentum"


def test_leave_one_out_removes_the_question_from_bank_votes(hash_index: Path, bank_file: Path) -> None:
    retriever, _ = open_retriever(hash_index, bank_file)
    q = next(q for q in retriever.bank if q.refs == (6,))
    with_it = retriever.ranking(q.text, "bank")
    without = retriever.ranking(q.text, "bank", exclude=[q.id])
    assert 6 in with_it.numbers.tolist() and 6 not in without.numbers.tolist()
    assert q.id not in [b.question.id for b in retriever.search(q.text, exclude=[q.id]).bank]


def test_no_index_still_answers_from_the_bank(tmp_path: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "index.settings.default_data_dir", lambda: tmp_path
    )  # the default location: the only one that may be missing
    monkeypatch.delenv("SLIDEBANK_INDEX", raising=False)
    retriever, notices = open_retriever(None, bank_file, model="hash:64")
    assert "python -m ingest" in notices[0]
    result = retriever.search("explain kmeans")
    assert result.slides == () and result.bank[0].question.refs == (6,)


def test_query_preparation() -> None:
    assert prepare_query("  a\x00b \n c ")[0] == "a b c"
    long, notices = prepare_query("x" * 10_000)
    assert len(long) == 2000 and "truncated" in notices[0]


def test_latex_and_acronyms_from_the_deck() -> None:
    assert latex_to_words(r"what does $\omega$ do in $p_{\theta}(x|z)$") == "what does omega do in p theta (x|z)"
    slides = [
        Slide(1, "d", 1, "Classifier-Free Guidance", "Classifier-Free Guidance\nmix two denoisers"),
        Slide(2, "d", 2, "Bound", "Bound\nthe Evidence Lower BOund (ELBO) is a bound"),
    ]
    table = learn_acronyms(slides)
    assert table["CFG"] == ("Classifier-Free Guidance",) and table["ELBO"] == ("Evidence Lower BOund",)
    assert expand_acronyms("why is CFG's omega a tradeoff", table).endswith("(Classifier-Free Guidance)")
    assert expand_acronyms("is it fine", table) == "is it fine"


def test_retriever_is_deterministic(hash_index: Path, bank_file: Path) -> None:
    from index.store import load_index

    r = Retriever(index=load_index(hash_index), bank=load_bank(bank_file), encoder=HashEmbedder(64))
    a = r.ranking("attention softmax").numbers.tolist()
    assert a == r.ranking("attention softmax").numbers.tolist() and a[0] == 3


def test_parent_context_keeps_a_sub_question_on_its_parents_topic(hash_index: Path, bank_file: Path) -> None:
    from assistant.retrieval.retriever import parent_text

    retriever, _ = open_retriever(hash_index, bank_file)
    child = next(q for q in retriever.bank if q.text == "what is the query?")
    assert parent_text(retriever.bank, child) == "explain self attention in detail"
    assert parent_text(retriever.bank, next(q for q in retriever.bank if q.refs == (6,))) is None
    vague = "what is the problem with it?"
    parent = "explain how k means assigns each point to its nearest centroid"
    plain = retriever.ranking(vague)
    blended = retriever.ranking(vague, context=parent)
    assert plain.numbers[0] != 6 and blended.numbers.tolist().index(6) < plain.numbers.tolist().index(6)
    strong = retriever.with_settings(context_weight=1.0)
    assert strong.ranking(vague, context=parent).numbers[0] == 6
    off = retriever.with_settings(context_weight=0.0).ranking(vague, context=parent)
    assert off.numbers.tolist() == plain.numbers.tolist()
    # Only the fused ranking takes context; a single signal stays what it measures.
    assert (
        retriever.ranking(vague, "dense", context=parent).numbers.tolist()
        == retriever.ranking(vague, "dense").numbers.tolist()
    )
    assert [h.slide.number for h in strong.search(vague, k=1, context=parent).slides] == [6]
