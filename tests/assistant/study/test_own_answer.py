"""The student's own answer: sentence verdicts against the card's slides, missed points, a suggested grade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.support import SupportChecker
from assistant.study.cli import main
from assistant.study.own_answer import check_own_answer
from assistant.ui.own_answer import check_html
from index.records import Slide

SLIDE = Slide(
    6,
    "d",
    6,
    "Two directions",
    "Two directions\n• Discriminative: estimate P(y|x)\n• Generative: estimate P(x|y)\n"
    "• Example: generate new images given category label",
)


def checked(answer: str):
    return check_own_answer(SupportChecker([SLIDE], threshold=0.3), answer)


def test_a_complete_faithful_answer_covers_every_point_and_suggests_easy() -> None:
    result = checked(
        "Discriminative models estimate P(y|x). Generative models estimate P(x|y). "
        "For example, they generate new images given a category label."
    )
    assert [j.verdict for j in result.sentences] == ["supported"] * 3
    assert result.missed == () and result.grade == "easy"


def test_a_partial_answer_lists_the_missed_points() -> None:
    result = checked("Discriminative models estimate P(y|x).")
    assert result.sentences[0].supported
    assert [p.text for p in result.missed] == [
        "Generative: estimate P(x|y)",
        "Example: generate new images given category label",
    ]
    assert result.grade == "hard"


def test_a_wrong_sentence_suggests_again_and_covers_nothing() -> None:
    result = checked("Generative models estimate P(y|x).")
    assert result.sentences[0].verdict == "contradicted" and result.grade == "again"
    assert not any(p.covered for p in result.points)


def test_the_html_escapes_the_answer_and_shows_the_suggestion() -> None:
    html = check_html(checked("<script>alert(1)</script> Discriminative models estimate P(y|x)."))
    assert "<script>" not in html and "&lt;script&gt;" in html and "Suggested grade" in html


@pytest.fixture()
def common(tmp_path: Path, hash_index: Path, bank_file: Path) -> list[str]:
    return ["--db", str(tmp_path / "study.sqlite"), "--bank", str(bank_file), "--index", str(hash_index)]


def test_study_check_prints_verdicts_missed_points_and_a_grade(
    common: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*common, "--next", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)  # "formulate SGD with momentum", slide 2
    answer = "Momentum averages previous steps. Momentum increases noise in the update direction."
    assert main([*common, "--json", "--check", card["id"], answer]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id"] == card["id"] and out["slides"] == [2]
    assert [s["verdict"] for s in out["sentences"]] == ["supported", "contradicted"]
    assert out["missed"] == [{"slide": 2, "text": "Reduces noise in the update direction"}]
    assert out["suggested_grade"] == "again" and (out["covered"], out["total"]) == (1, 2)
    assert main([*common, "--check", card["id"], answer]) == 0
    plain = capsys.readouterr().out
    assert "CONTRADICTED" in plain and "suggested grade: again" in plain
    # Nothing was graded: the student still chooses.
    assert main([*common, "--next", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["new"]


def test_study_check_errors_are_one_line(common: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*common, "--check", "nope", "an answer"]) == 2
    assert capsys.readouterr().err.startswith("error: question nope is not in the bank")
