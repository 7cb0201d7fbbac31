import io
import json
from pathlib import Path

import pytest

from assistant.query import main
from tests.support.decks import BUILD_QUERY, lecture_index


def test_json_schema(hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["--index", str(hash_index), "--bank", str(bank_file), "--json", "-k", "3", "momentum", "previous", "steps"]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"query", "corrected", "unknown_terms", "slides", "bank", "groups", "weak"}
    assert out["query"] == "momentum previous steps" and len(out["slides"]) == 3
    assert set(out["slides"][0]) == {"number", "deck", "page", "title", "score", "snippet", "group", "role"}
    assert out["slides"][0]["number"] == 2 and out["slides"][0]["deck"] == "week01"
    assert set(out["bank"][0]) == {"id", "section", "text", "refs", "score"}


def test_text_output_groups_neighbours(hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--index", str(hash_index), "--bank", str(bank_file), "-k", "6", "gradient momentum"]) == 0
    out = capsys.readouterr().out
    assert "Slides" in out and "Matching bank questions" in out and "\u25b8 1\u20133" in out


def test_batch_prints_one_json_line_per_query(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.StringIO("kmeans centroids\n\nattention softmax\n")
    assert main(["--index", str(hash_index), "--bank", str(bank_file), "--batch", "-"], stdin=stdin) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["slides"][0]["number"] for line in lines] == [6, 3]


def test_batch_answers_rank_each_line_once_and_answer_from_its_top_slides(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.retrieval.retriever import Retriever

    searched: list[str] = []
    search = Retriever.search

    def counted(self, query, *args, **kwargs):
        searched.append(query)
        return search(self, query, *args, **kwargs)

    monkeypatch.setattr(Retriever, "search", counted)
    stdin = io.StringIO("kmeans centroids\nattention softmax\n")
    argv = ["--index", str(hash_index), "--bank", str(bank_file), "--answer", "--batch", "-"]
    assert main(argv, stdin=stdin) == 0
    assert searched == ["kmeans centroids\n", "attention softmax\n"]
    batch = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    # The same answer a single query gives: drawn on the top 5 of the same ranking.
    for line in batch:
        assert main(["--index", str(hash_index), "--bank", str(bank_file), "--answer", "--json", line["query"]]) == 0
        single = json.loads(capsys.readouterr().out)
        assert line["answer"] is not None and line["answer"] == single["answer"]


def test_no_index_answers_from_bank_and_says_how_to_ingest(
    tmp_path: Path, bank_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the default location (no --index, no $SLIDEBANK_INDEX) falls back to the bank.
    monkeypatch.setattr("index.settings.default_data_dir", lambda: tmp_path)
    monkeypatch.delenv("SLIDEBANK_INDEX", raising=False)
    assert main(["--bank", str(bank_file), "--model", "hash:64", "explain kmeans"]) == 0
    captured = capsys.readouterr()
    assert "python -m ingest" in captured.err and "explain kmeans" in captured.out and "slides 6" in captured.out


@pytest.mark.parametrize("argv", [[""], ["   "], []])
def test_empty_query_is_a_one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: empty query") and err.count("\n") == 1


def test_model_mismatch_is_a_one_line_error(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--index", str(hash_index), "--bank", str(bank_file), "--model", "hash:32", "x"]) == 2
    assert "built with model 'hash:64'" in capsys.readouterr().err


@pytest.fixture()
def lecture(tmp_path: Path) -> Path:
    return lecture_index(tmp_path)


def test_cli_grouped_view_all_and_json_roles(
    lecture: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--index", str(lecture), "--bank", str(bank_file)]
    assert main([*base, BUILD_QUERY]) == 0
    text = capsys.readouterr().out
    assert "\u25b8 Slides " in text and "[same topic]" in text and "Other places this comes up" not in text
    assert main([*base, "--all", BUILD_QUERY]) == 0
    assert "Other places this comes up" in capsys.readouterr().out
    assert main([*base, "--json", BUILD_QUERY]) == 0
    out = json.loads(capsys.readouterr().out)
    first = out["groups"][0]
    page = sorted(s["number"] for s in out["slides"] if s["group"] == first["id"])
    assert page == list(range(first["first"], first["last"] + 1)) and 3 in page
    assert {s["role"] for s in out["slides"]} <= {"hit", "context", "more"}
    assert out["slides"][0]["group"] == first["id"] and out["slides"][0]["role"] == "hit"  # still best first
    scores = [s["score"] for s in out["slides"] if s["score"] is not None]
    assert scores == sorted(scores, reverse=True)


def test_an_explicit_k_prints_exactly_k(lecture: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--index", str(lecture), "--bank", str(bank_file)]
    for k in (1, 6):
        assert main([*base, "--json", "-k", str(k), BUILD_QUERY]) == 0
        assert len(json.loads(capsys.readouterr().out)["slides"]) == k
    assert main([*base, "-k", "6", BUILD_QUERY]) == 0
    text = capsys.readouterr().out
    assert text.count("\n          ") == 6 and "same topic" not in text  # six slides, each with its snippet


def test_answer_keeps_the_same_slide_list(lecture: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--index", str(lecture), "--bank", str(bank_file)]
    assert main([*base, BUILD_QUERY]) == 0
    plain = capsys.readouterr().out
    assert main([*base, "--answer", BUILD_QUERY]) == 0
    answered = capsys.readouterr().out
    assert answered.startswith(plain.rstrip("\n")) and "\nAnswer\n" in answered  # the grouped view, then the answer
    assert main([*base, "--json", BUILD_QUERY]) == 0
    slides = json.loads(capsys.readouterr().out)["slides"]
    assert main([*base, "--json", "--answer", BUILD_QUERY]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["slides"] == slides and out["answer"] is not None


def test_a_typo_is_searched_corrected_and_said(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--index", str(hash_index), "--bank", str(bank_file)]
    assert main([*base, "--json", "explain classifier-free guidence"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "explain classifier-free guidence"
    assert out["corrected"] == "explain classifier-free guidance" and out["unknown_terms"] == []
    assert main([*base, "explain classifier-free guidence"]) == 0
    assert capsys.readouterr().out.startswith("searched for: explain classifier-free guidance\n")
    assert main([*base, "--json", "explain classifier-free guidance"]) == 0
    assert json.loads(capsys.readouterr().out)["corrected"] is None


def test_a_term_no_slide_mentions_is_said_and_the_answer_abstains(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--index", str(hash_index), "--bank", str(bank_file)]
    assert main([*base, "--answer", "what is a Wasserstein momentum"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("the slides never mention 'Wasserstein'\nSlides")  # the closest slides still shown
    assert "The slides never mention 'Wasserstein'. The slides do not cover this." in text
    assert main([*base, "--json", "--answer", "what is a Wasserstein momentum"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unknown_terms"] == ["Wasserstein"] and out["answer"]["abstained"] and out["slides"]
