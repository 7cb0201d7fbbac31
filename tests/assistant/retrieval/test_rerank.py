"""The optional cross-encoder reranker: its place in the ranking (with fake rerankers), its loader
and the ``--reranker`` flags (with a tiny cross-encoder built here, random weights, never downloaded).

The tiny model says nothing about ranking quality; it checks the plumbing. Tests that load it
import torch and sentence-transformers (~10 s), so they are marked slow.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from assistant.retrieval.loading import open_retriever
from assistant.retrieval.normalize import normalise_query
from assistant.retrieval.rerank import PASSAGE_CHARS, load_reranker, passage
from assistant.retrieval.retriever import Retriever, Settings, prepare_query
from index.errors import InputError
from index.records import Slide
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module
from tests.support.paths import ROOT

QUERY = "gradient momentum steps"


class Reverse:
    """Scores later passages higher: reverses whatever it is given. Records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        self.calls.append((query, list(passages)))
        return np.arange(len(passages), dtype=np.float32)


class Keyword:
    """Scores a passage by how often it says ``word``; ties keep the order given."""

    def __init__(self, word: str) -> None:
        self.word = word

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        return np.array([p.lower().count(self.word) for p in passages], dtype=np.float32)


@pytest.fixture()
def retriever(hash_index: Path, bank_file: Path) -> Retriever:
    return open_retriever(hash_index, bank_file)[0]


def with_reranker(retriever: Retriever, reranker: object, depth: int) -> Retriever:
    return dataclasses.replace(retriever, reranker=reranker, settings=Settings(rerank_depth=depth))


# -- where the reranker acts (fake rerankers: fast, deterministic) -------------------------------


def test_reranks_exactly_the_top_depth_and_keeps_the_tail(retriever: Retriever) -> None:
    fused = retriever.ranking(QUERY)
    assert len(fused.numbers) >= 5
    fake = Reverse()
    reranked = with_reranker(retriever, fake, depth=3).ranking(QUERY)
    assert reranked.numbers.tolist() == fused.numbers[:3][::-1].tolist() + fused.numbers[3:].tolist()
    # Each slide keeps its own fused score.
    assert dict(zip(reranked.numbers.tolist(), reranked.scores.tolist())) == dict(
        zip(fused.numbers.tolist(), fused.scores.tolist())
    )
    [(query, passages)] = fake.calls
    index = retriever.index
    assert index is not None
    assert query == QUERY and passages == [passage(index.slide(int(n))) for n in fused.numbers[:3]]


def test_a_keyword_reranker_lifts_its_slide_only_from_inside_the_depth(retriever: Retriever) -> None:
    fused = retriever.ranking(QUERY).numbers.tolist()
    kmeans = 6  # "K Means Clustering ... centroid": far from the query in the fused ranking
    position = fused.index(kmeans)
    assert position >= 2
    lifted = with_reranker(retriever, Keyword("centroid"), depth=position + 1).ranking(QUERY).numbers.tolist()
    assert lifted == [kmeans] + [n for n in fused[: position + 1] if n != kmeans] + fused[position + 1 :]
    too_shallow = with_reranker(retriever, Keyword("centroid"), depth=position).ranking(QUERY).numbers.tolist()
    assert too_shallow == fused


def test_search_shows_the_reranked_order(retriever: Retriever) -> None:
    fused = retriever.ranking(QUERY)
    variant = with_reranker(retriever, Reverse(), depth=4)
    hits = variant.search(QUERY, k=6).slides
    assert [h.slide.number for h in hits] == variant.ranking(QUERY).numbers[:6].tolist()
    assert [h.slide.number for h in hits][:4] == fused.numbers[:4][::-1].tolist()


def test_single_signal_rankings_and_depth_zero_are_left_alone(retriever: Retriever) -> None:
    fake = Reverse()
    for method in ("dense", "bm25", "bank"):
        assert (
            with_reranker(retriever, fake, 20).ranking(QUERY, method).numbers.tolist()
            == retriever.ranking(QUERY, method).numbers.tolist()
        )
    assert (
        with_reranker(retriever, fake, 0).ranking(QUERY).numbers.tolist() == retriever.ranking(QUERY).numbers.tolist()
    )
    assert fake.calls == []


def test_with_settings_keeps_the_reranker(retriever: Retriever) -> None:
    fake = Reverse()
    variant = with_reranker(retriever, fake, 20).with_settings(lexical_weight=0.5)
    assert variant.reranker is fake and variant.settings.rerank_depth == 20
    assert retriever.reranker is None and Settings().rerank_depth == 20


def test_passage_is_title_then_text_once_and_capped() -> None:
    slide = Slide(1, "d", 1, "SGD with Momentum", "SGD with Momentum\nMomentum averages\nprevious steps")
    assert passage(slide) == "SGD with Momentum Momentum averages previous steps"
    other = Slide(2, "d", 2, "Kmeans", "assign points\nto centroids")
    assert passage(other) == "Kmeans. assign points to centroids"
    long = Slide(3, "d", 3, "Long", "Long\n" + "word " * 600)
    text = passage(long)
    assert len(text) <= PASSAGE_CHARS and text.endswith("word")


# -- the loader's errors, without loading torch --------------------------------------------------


def test_a_missing_reranker_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^cannot load reranker '/nonexistent/ce': no such folder"):
        load_reranker("/nonexistent/ce")
    afile = tmp_path / "model.bin"
    afile.write_bytes(b"x")
    with pytest.raises(InputError, match="not a folder"):
        load_reranker(str(afile))


def test_query_cli_with_a_missing_reranker_is_a_one_line_error(hash_index: Path, bank_file: Path) -> None:
    proc = run_module(
        "assistant.query",
        "--index",
        hash_index,
        "--bank",
        bank_file,
        "--reranker",
        "/nonexistent",
        "kmeans",
        timeout=60,
    )
    assert_one_line_error(proc, "cannot load reranker '/nonexistent'")


def test_eval_and_app_with_a_missing_reranker_fail_cleanly(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.evaluation.retrieval import main as eval_main

    assert eval_main(["--index", str(hash_index), "--bank", str(bank_file), "--reranker", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot load reranker") and err.count("\n") == 1
    proc = subprocess.run(
        [sys.executable, "app.py", "--index", str(hash_index), "--bank", str(bank_file), "--reranker", "/nonexistent"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("error: cannot load reranker '/nonexistent'")


def test_without_a_reranker_the_query_path_imports_no_torch(hash_index: Path, bank_file: Path) -> None:
    code = (
        "import sys; from assistant.query import main; "
        f"assert main(['--index', {str(hash_index)!r}, '--bank', {str(bank_file)!r}, 'kmeans']) == 0; "
        "print([m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


# -- a tiny real cross-encoder, built here (slow: imports torch) ---------------------------------


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BERT cross-encoder with one output and random weights, and a WordPiece tokenizer of ~20 words."""
    from tests.support.tiny_cross_encoder import write_tiny_cross_encoder

    return write_tiny_cross_encoder(tmp_path_factory.mktemp("tiny-cross-encoder"))


@pytest.mark.slow
def test_tiny_cross_encoder_loads_offline_and_scores(tiny_cross_encoder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("the reranker tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    reranker = load_reranker(str(tiny_cross_encoder))
    scores = reranker.score("what is momentum", ["momentum steps", "kmeans centroid", "", "gradient " * 500])
    assert scores.shape == (4,) and np.all(np.isfinite(scores))
    assert reranker.score("x", []).shape == (0,)


@pytest.mark.slow
def test_a_folder_that_is_not_a_cross_encoder_is_an_input_error(tmp_path: Path, tiny_cross_encoder: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"^cannot load reranker '.*empty': "):
        load_reranker(str(empty))


@pytest.mark.slow
def test_query_cli_with_the_tiny_reranker_end_to_end(
    tiny_cross_encoder: Path, hash_index: Path, bank_file: Path
) -> None:
    common = ["--index", hash_index, "--bank", bank_file, "--json", "-k", "6", "momentum previous steps"]
    plain = run_module("assistant.query", *common, timeout=60)
    reranked = run_module("assistant.query", *common, "--reranker", tiny_cross_encoder, timeout=180)
    assert_clean_success(plain)
    assert_clean_success(reranked)
    assert reranked.stderr == plain.stderr  # no loader chatter on the terminal
    before = [s["number"] for s in json.loads(plain.stdout)["slides"]]
    after = [s["number"] for s in json.loads(reranked.stdout)["slides"]]
    # The index has fewer slides than rerank_depth: all of them, in the order of the tiny model's own scores.
    retriever = open_retriever(hash_index, bank_file)[0]
    fused = retriever.ranking(common[-1]).numbers.tolist()
    assert fused[:6] == before and len(fused) <= Settings().rerank_depth
    index = retriever.index
    assert index is not None
    query = normalise_query(prepare_query(common[-1])[0], retriever.acronyms)  # what the retriever hands the reranker
    scores = load_reranker(str(tiny_cross_encoder)).score(query, [passage(index.slide(n)) for n in fused])
    by_model = [fused[i] for i in np.argsort(-scores, kind="stable")]
    assert after == by_model[:6]
    assert after != before  # the model's order is not the fused one: a reranker loaded but not applied fails here


@pytest.mark.slow
def test_eval_adds_a_fused_plus_reranker_table(
    tiny_cross_encoder: Path, hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.evaluation.retrieval import main as eval_main

    argv = [
        "--index",
        str(hash_index),
        "--bank",
        str(bank_file),
        "--no-ablation",
        "--reranker",
        str(tiny_cross_encoder),
    ]
    assert eval_main(argv + ["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    names = [row["name"] for row in data["reranker"]["rows"]]
    assert names[:4] == ["fused", "fused + reranker", "typed: fused", "typed: fused + reranker"]
    assert data["reranker"]["depth"] == 20
    # The other tables score the fused ranking itself, as without --reranker.
    assert eval_main(argv[:-2] + ["--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["bank"] == data["bank"] and "reranker" not in plain
    assert eval_main(argv) == 0
    assert "fused + reranker" in capsys.readouterr().out
